/**
 * The floor: bare `undici` requests over one connection pool, with the least a correct client must do (one OAuth
 * request shared by concurrent first calls, a status check, `JSON.parse` of every answer and stream event). No
 * validation, no typed errors, no retries, no timeouts beyond undici's own.
 */
import * as Undici from "undici"
import type { Calls, Client, OnChunk, Target } from "./client.js"
import { embeddingsInput, fromCalls, prompt } from "./client.js"

const userAgent = "bench-undici"

/** A client over a fresh undici pool. */
export const make = (target: Target): Client => {
  const pool = new Undici.Pool(target.origin)
  const basePath = new URL(target.baseUrl).pathname
  const authPath = new URL(target.authUrl).pathname
  const chatBody = JSON.stringify({ model: "GigaChat", messages: [{ role: "user", content: prompt }] })
  const embeddingsBody = JSON.stringify({ model: "Embeddings", input: embeddingsInput })

  let token: Promise<string> | undefined
  const authorization = (): Promise<string> => {
    if (token === undefined) {
      token = (async () => {
        const response = await pool.request({
          method: "POST",
          path: authPath,
          headers: {
            authorization: `Basic ${target.credentials}`,
            rquid: crypto.randomUUID(),
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
            "user-agent": userAgent
          },
          body: "scope=GIGACHAT_API_PERS"
        })
        const body = (await response.body.json()) as { access_token: string }
        if (response.statusCode !== 200) throw new Error(`OAuth answered ${response.statusCode}`)
        return `Bearer ${body.access_token}`
      })()
      // A failed attempt is not cached.
      token.catch(() => {
        token = undefined
      })
    }
    return token
  }

  const post = async (path: string, body: string, accept: string) => {
    const response = await pool.request({
      method: "POST",
      path: basePath + path,
      headers: {
        authorization: await authorization(),
        "content-type": "application/json",
        accept,
        "user-agent": userAgent
      },
      body
    })
    if (response.statusCode !== 200) {
      await response.body.dump()
      throw new Error(`${path} answered ${response.statusCode}`)
    }
    return response
  }

  const postJson = async (path: string, body: string): Promise<unknown> => {
    const response = await post(path, body, "application/json")
    return response.body.json()
  }

  const stream = async (text: string, onChunk: OnChunk): Promise<void> => {
    const body = JSON.stringify({
      model: "GigaChat",
      messages: [{ role: "user", content: text }],
      stream: true
    })
    const response = await post("/chat/completions", body, "text/event-stream")
    const decoder = new TextDecoder()
    let buffer = ""
    for await (const bytes of response.body as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(bytes, { stream: true })
      buffer = buffer.length === 0 ? text : buffer + text
      let start = 0
      let end = buffer.indexOf("\n\n", start)
      while (end !== -1) {
        // The canned server sends one `data:` line per event.
        const data = buffer.slice(start + 6, end)
        if (data === "[DONE]") {
          response.body.destroy()
          return
        }
        const chunk = JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> }
        onChunk(chunk.choices[0]?.delta.content ?? "")
        start = end + 2
        end = buffer.indexOf("\n\n", start)
      }
      buffer = buffer.slice(start)
    }
  }

  const calls: Calls = {
    chat: () => postJson("/chat/completions", chatBody),
    embeddings: () => postJson("/embeddings", embeddingsBody),
    stream,
    close: () => pool.close()
  }
  return fromCalls(calls)
}
