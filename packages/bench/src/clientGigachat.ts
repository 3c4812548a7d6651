/**
 * The official `gigachat` npm package (0.0.20, axios over Node's `http` agent), configured as its README shows, with
 * the canned server's URLs. Its `console.info("OAUTH UPDATE TOKEN")` on every token fetch is silenced so the
 * measurement is not of the terminal.
 */
import GigaChat from "gigachat"
import type { Calls, Client, OnChunk, Target } from "./client.js"
import { embeddingsInput, fromCalls, prompt } from "./client.js"

/** A client with a fresh (empty) token cache. */
export const make = (target: Target): Client => {
  console.info = () => {}
  console.warn = () => {}
  const client = new GigaChat({
    baseUrl: target.baseUrl,
    authUrl: target.authUrl,
    credentials: target.credentials,
    scope: "GIGACHAT_API_PERS",
    model: "GigaChat",
    timeout: 60
  })

  const stream = async (text: string, onChunk: OnChunk): Promise<void> => {
    const messages = [{ role: "user" as const, content: text }]
    for await (const chunk of client.stream({ model: "GigaChat", messages })) {
      onChunk(chunk.choices[0]?.delta.content ?? "")
    }
  }

  const calls: Calls = {
    chat: () => client.chat({ model: "GigaChat", messages: [{ role: "user", content: prompt }] }),
    embeddings: () => client.embeddings([...embeddingsInput], "Embeddings"),
    stream,
    close: () => Promise.resolve()
  }
  return fromCalls(calls)
}
