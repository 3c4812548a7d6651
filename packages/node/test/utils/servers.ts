/**
 * Servers the node tests start on 127.0.0.1, each for as long as its scope lasts.
 */
import * as Effect from "effect/Effect"
import type * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import type * as Tls from "node:tls"

/** Listens on a free port of 127.0.0.1 and gives it; `beforeClose` runs when the scope closes, before the server. */
export const listen = (server: Http.Server | Https.Server, beforeClose: () => void = () => {}) =>
  Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
    }),
    () =>
      Effect.async<void>((resume) => {
        beforeClose()
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/**
 * The TLS options of a test server: the certificate the test CA signed for 127.0.0.1, and optionally a client
 * certificate required, signed by the same CA.
 */
export const serverTls = (read: (name: string) => string, requireClientCertificate = false): Https.ServerOptions => ({
  key: read("server.key"),
  cert: read("server.pem"),
  ...(requireClientCertificate ? { requestCert: true, rejectUnauthorized: true, ca: [read("test-root-ca.pem")] } : {})
})

/** What an HTTPS GigaChat received: each request's path and the CN of the client certificate it came with. */
export interface Received {
  readonly url: string
  readonly clientCertificate: string | undefined
}

/**
 * An HTTPS GigaChat (OAuth gives `token`, anything else `completion`) with the certificate of the test CA read by
 * `read` (`utils/certificates.ts`), optionally requiring a client certificate signed by it.
 */
export const httpsGigaChat = (
  read: (name: string) => string,
  options: { readonly token: string; readonly completion: unknown; readonly requireClientCertificate?: boolean }
) =>
  Effect.gen(function*() {
    const received: Array<Received> = []
    const server = Https.createServer(serverTls(read, options.requireClientCertificate), (req, res) => {
      req.resume()
      req.on("end", () => {
        const peer = (req.socket as Tls.TLSSocket).getPeerCertificate()
        received.push({
          url: req.url ?? "",
          clientCertificate: peer?.subject?.CN === undefined ? undefined : String(peer.subject.CN)
        })
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify(
          req.url === "/api/v2/oauth"
            ? { access_token: options.token, expires_at: Date.now() + 1800000 }
            : options.completion
        ))
      })
    })
    const port = yield* listen(server)
    return { received, port, origin: `https://127.0.0.1:${port}` }
  })
