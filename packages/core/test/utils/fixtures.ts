/** A minimal chat answer of the `Chat.ChatCompletion` type, shared by the tests of the decode fast path. */
export const completion = {
  choices: [{ message: { role: "assistant", content: "Hi" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}
