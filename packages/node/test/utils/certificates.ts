/**
 * Certificates made at test time with the machine's `openssl` (Node's crypto cannot sign X.509 certificates), in a
 * temporary directory that the caller removes; none is committed.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** Whether `openssl` can be run here; the TLS tests are skipped without it. */
export const hasOpenssl: boolean = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" })
    return true
  } catch {
    return false
  }
})()

/** A directory of certificates: each `<name>.pem` with its key `<name>.key`. */
export interface Certificates {
  readonly dir: string
  readonly file: (name: string) => string
  readonly read: (name: string) => string
  /** Runs `openssl` in the directory. */
  readonly openssl: (...args: ReadonlyArray<string>) => Buffer
  readonly remove: () => void
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

/**
 * Two unrelated CAs (`test-root-ca`, `other-ca`), a server certificate for `127.0.0.1` and a client certificate
 * (CN `client`), both signed by `test-root-ca`.
 */
export const makeCertificates = (): Certificates => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "gigachat-tls-"))
  const file = (name: string) => Path.join(dir, name)
  const openssl = (...args: ReadonlyArray<string>) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })
  const makeCa = (name: string) =>
    openssl(
      "req",
      "-x509",
      ...ecKey,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign"
    )
  const makeLeaf = (name: string, ca: string, extensions: string) => {
    openssl("req", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`)
    Fs.writeFileSync(file(`${name}.ext`), extensions)
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`
    )
  }
  makeCa("test-root-ca")
  makeCa("other-ca")
  makeLeaf(
    "server",
    "test-root-ca",
    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
  )
  makeLeaf("client", "test-root-ca", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
  return {
    dir,
    file,
    read: (name) => Fs.readFileSync(file(name), "utf8"),
    openssl,
    remove: () => Fs.rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The certificates of one test file: made before its tests (when `openssl` is there), removed after them; `file`
 * and `read` are for use inside the tests.
 */
export const useCertificates = (): Pick<Certificates, "file" | "read"> => {
  let certificates: Certificates | undefined
  beforeAll(() => {
    if (hasOpenssl) certificates = makeCertificates()
  })
  afterAll(() => certificates?.remove())
  return { file: (name) => certificates!.file(name), read: (name) => certificates!.read(name) }
}
