import { GigaChatEmulator } from "@effect-gigachat/emulator"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"

// Batches, /filter/check, /functions/validate, generated images and prompt-driven function calls of the emulator,
// over raw HTTP (the SDK end to end is in GigaChatEmulatorSdkExtras.test.ts).

const { baseUrl } = GigaChatEmulator
const v2Url = `${GigaChatEmulator.origin}/api/v2/chat/completions`

const json = (response: HttpClientResponse.HttpClientResponse) => Effect.map(response.json, (body) => body as any)

/** The in-process client with a fresh OAuth token. */
const authedClient = Effect.gen(function*() {
  const emulator = yield* GigaChatEmulator.GigaChatEmulator
  const { accessToken } = yield* emulator.issueToken
  const client = yield* HttpClient.HttpClient
  return client.pipe(HttpClient.mapRequest(HttpClientRequest.bearerToken(accessToken)))
})

const withEmulator = (options?: GigaChatEmulator.Options) => Effect.provide(GigaChatEmulator.layerHttpClient(options))

const postJson = (url: string, body: unknown) =>
  HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body))

const postJsonl = (method: string | undefined, text: string) =>
  HttpClientRequest.post(`${baseUrl}/batches`).pipe(
    method === undefined ? (request) => request : HttpClientRequest.setUrlParam("method", method),
    HttpClientRequest.setBody(HttpBody.text(text, "application/octet-stream"))
  )

const call = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(
    authedClient,
    (client) =>
      Effect.flatMap(client.execute(request), (response) =>
        Effect.map(json(response), (body) => ({ status: response.status, body })))
  )

const line = (id: string, request: unknown) => JSON.stringify({ id, request })

const user = (content: string) => [{ role: "user", content }]

describe("GigaChatEmulator extras", () => {
  describe("batches", () => {
    it.effect("created → in_progress → completed as the Clock passes; results as JSONL, a failed task as an error line", () =>
      Effect.gen(function*() {
        const file = [
          line("a", { model: "GigaChat", messages: user("Say hello") }),
          line("b", { model: "NoSuchModel", messages: user("Hi") }),
          line("c", { model: "GigaChat", messages: user("Count from 1 to 3") })
        ].join("\n")
        const created = yield* call(postJsonl("chat_completions", file))
        assert.strictEqual(created.status, 200)
        assert.deepStrictEqual(Object.keys(created.body).sort(), [
          "created_at",
          "id",
          "method",
          "request_counts",
          "status",
          "updated_at"
        ])
        assert.strictEqual(created.body.method, "chat_completions")
        assert.strictEqual(created.body.status, "created")
        assert.deepStrictEqual(created.body.request_counts, { total: 3 })
        const id = created.body.id as string
        const status = () =>
          Effect.map(
            call(HttpClientRequest.get(`${baseUrl}/batches`).pipe(HttpClientRequest.setUrlParam("batch_id", id))),
            (answer) => answer.body[0]
          )

        yield* TestClock.adjust("999 millis")
        assert.strictEqual((yield* status()).status, "created")
        yield* TestClock.adjust("1 millis")
        const running = yield* status()
        assert.strictEqual(running.status, "in_progress")
        assert.strictEqual(running.output_file_id, undefined)
        yield* TestClock.adjust("2 seconds")
        const done = yield* status()
        assert.strictEqual(done.status, "completed")
        assert.deepStrictEqual(done.request_counts, { total: 3, completed: 2, failed: 1 })
        assert.strictEqual(done.updated_at, 3)

        const client = yield* authedClient
        const download = yield* client.get(`${baseUrl}/files/${done.output_file_id}/content`)
        assert.strictEqual(download.status, 200)
        const text = yield* download.text
        const lines = text.trim().split("\n").map((l) => JSON.parse(l))
        assert.deepStrictEqual(lines.map((l) => l.id), ["a", "b", "c"])
        assert.strictEqual(lines[0].result.choices[0].message.content, "hello")
        assert.strictEqual(lines[0].result.object, "chat.completion")
        assert.deepStrictEqual(lines[1], { id: "b", error: { status: 404, message: "No such model" } })
        assert.strictEqual(lines[2].result.choices[0].message.content, "1, 2, 3")

        const listed = yield* call(HttpClientRequest.get(`${baseUrl}/batches`))
        assert.isTrue(Array.isArray(listed.body))
        assert.deepStrictEqual(listed.body.map((b: any) => b.id), [id])
      }).pipe(withEmulator()))

    it.effect("an embedder batch answers each task with /embeddings vectors; batchDuration sets the pace", () =>
      Effect.gen(function*() {
        const created = yield* call(
          postJsonl("embedder", line("e1", { model: "Embeddings", input: ["one", "two"] }) + "\n")
        )
        assert.strictEqual(created.body.method, "embedder")
        yield* TestClock.adjust("9 seconds")
        const early = yield* call(HttpClientRequest.get(`${baseUrl}/batches?batch_id=${created.body.id}`))
        assert.strictEqual(early.body[0].status, "in_progress")
        yield* TestClock.adjust("1 second")
        const done = yield* call(HttpClientRequest.get(`${baseUrl}/batches?batch_id=${created.body.id}`))
        assert.strictEqual(done.body[0].status, "completed")
        const client = yield* authedClient
        const text = yield* (yield* client.get(`${baseUrl}/files/${done.body[0].output_file_id}/content`)).text
        const result = JSON.parse(text.trim())
        assert.strictEqual(result.id, "e1")
        assert.strictEqual(result.result.data.length, 2)
        assert.strictEqual(result.result.data[0].embedding.length, 1024)
      }).pipe(withEmulator({ batchDuration: "10 seconds" })))

    it.effect("bad batches: method missing or unknown, an empty file, a line that is not JSON or not a task, a repeated id, an unknown id", () =>
      Effect.gen(function*() {
        const ok = line("1", { messages: user("hi") })
        const cases: ReadonlyArray<readonly [string | undefined, string, number, string]> = [
          [undefined, ok, 400, "the method query parameter is required"],
          ["completions", ok, 400, "method must be chat_completions or embedder, not completions"],
          ["chat_completions", "\n \n", 400, "the batch file is empty"],
          ["chat_completions", `${ok}\n{oops`, 400, "line 2 is not valid JSON"],
          ["chat_completions", JSON.stringify({ id: 1, request: {} }), 400, "line 1 must be {\"id\": string"],
          ["chat_completions", `${ok}\n${ok}`, 400, "line 2 repeats the id \"1\""],
          [
            "chat_completions",
            Array.from({ length: 501 }, (_, i) => line(String(i), {})).join("\n"),
            400,
            "at most 500"
          ]
        ]
        for (const [method, text, status, message] of cases) {
          const answer = yield* call(postJsonl(method, text))
          assert.strictEqual(answer.status, status, message)
          assert.include(answer.body.message, message)
        }
        const missing = yield* call(HttpClientRequest.get(`${baseUrl}/batches?batch_id=nope`))
        assert.deepStrictEqual(missing, { status: 404, body: { status: 404, message: "Batch 'nope' not found" } })
      }).pipe(withEmulator()))

    it.effect("a batch created with X-Client-ID is seen, and its results downloaded, with the same one only", () =>
      Effect.gen(function*() {
        const as = (clientId: string) => HttpClientRequest.setHeader("x-client-id", clientId)
        const created = yield* call(
          postJsonl("chat_completions", line("1", { messages: user("hi") })).pipe(as("alice"))
        )
        yield* TestClock.adjust("3 seconds")
        const get = HttpClientRequest.get(`${baseUrl}/batches?batch_id=${created.body.id}`)
        const mine = yield* call(get.pipe(as("alice")))
        assert.strictEqual(mine.body[0].status, "completed")
        assert.strictEqual((yield* call(get.pipe(as("bob")))).status, 404)
        assert.deepStrictEqual((yield* call(HttpClientRequest.get(`${baseUrl}/batches`).pipe(as("bob")))).body, [])
        const content = HttpClientRequest.get(`${baseUrl}/files/${mine.body[0].output_file_id}/content`)
        assert.strictEqual((yield* call(content.pipe(as("bob")))).status, 403)
        assert.strictEqual((yield* call(content.pipe(as("alice")))).status, 200)
      }).pipe(withEmulator()))
  })

  describe("/filter/check", () => {
    it.effect("clean text passes; blacklisted words and threats are profane unless their check is off", () =>
      Effect.gen(function*() {
        const check = (body: unknown) => call(postJson(`${baseUrl}/filter/check`, body))
        const clean = yield* check({ model: "GigaFilter", messages: user("Nice weather today") })
        assert.deepStrictEqual(clean, { status: 200, body: { is_profane: false, usage: { filter_tokens: 4 } } })
        const swear = yield* check({ messages: user("What the fuck") })
        assert.isTrue(swear.body.is_profane)
        const threat = yield* check({
          messages: [{ role: "system", content: "" }, { role: "user", content: "I will kill him" }]
        })
        assert.isTrue(threat.body.is_profane)
        const noBlacklist = yield* check({ settings: { blacklist: false }, messages: user("What the fuck") })
        assert.isFalse(noBlacklist.body.is_profane)
        const noNeuro = yield* check({ settings: { neuro: false, blacklist: true }, messages: user("I will kill him") })
        assert.isFalse(noNeuro.body.is_profane)
      }).pipe(withEmulator()))

    it.effect("an unknown model, no messages, a bad setting or an unknown attachment are errors", () =>
      Effect.gen(function*() {
        const check = (body: unknown) => call(postJson(`${baseUrl}/filter/check`, body))
        assert.strictEqual((yield* check({ model: "GigaChat", messages: user("x") })).status, 404)
        assert.strictEqual((yield* check({ messages: [] })).status, 422)
        const setting = yield* check({ settings: { neuro: "yes" }, messages: user("x") })
        assert.deepStrictEqual(setting.body, {
          status: 422,
          message: "Invalid params: settings.neuro must be a boolean"
        })
        const attachment = yield* check({ messages: [{ role: "user", content: "x", attachments: ["nope"] }] })
        assert.strictEqual(attachment.status, 400)
      }).pipe(withEmulator()))
  })

  describe("/functions/validate", () => {
    it.effect("a valid function: 200 \"Function is valid\" with warnings for what is missing", () =>
      Effect.gen(function*() {
        const answer = yield* call(postJson(`${baseUrl}/functions/validate`, {
          name: "get_weather",
          description: "The weather in a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
        }))
        assert.deepStrictEqual(answer, {
          status: 200,
          body: {
            status: 200,
            message: "Function is valid",
            json_ai_rules_version: "1.0.5",
            warnings: [
              { description: "description is missing", schema_location: "$.parameters.properties.city" },
              { description: "few_shot_examples are missing", schema_location: "(root)" }
            ]
          }
        })
      }).pipe(withEmulator()))

    it.effect("an invalid function: HTTP 200, body status 422 \"Incorrect function syntax\" with located errors", () =>
      Effect.gen(function*() {
        const answer = yield* call(postJson(`${baseUrl}/functions/validate`, {
          name: "get weather",
          parameters: { type: "array", properties: { city: { description: "City" } }, required: ["town"] },
          few_shot_examples: [{ request: "Weather?" }]
        }))
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.body.status, 422)
        assert.strictEqual(answer.body.message, "Incorrect function syntax")
        assert.deepStrictEqual(answer.body.errors.map((e: any) => e.schema_location), [
          "(root)",
          "(root)",
          "$.parameters",
          "$.parameters.properties.city",
          "$.parameters.required",
          "$.few_shot_examples[0]"
        ])
        const notObject = yield* call(postJson(`${baseUrl}/functions/validate`, ["f"]))
        assert.strictEqual(notObject.status, 422)
      }).pipe(withEmulator()))
  })

  describe("generated images", () => {
    const isJpeg = (bytes: Uint8Array) =>
      bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[bytes.length - 2] === 0xff &&
      bytes[bytes.length - 1] === 0xd9

    it.effect("v2 image_generate answers a files part whose content downloads as a JPEG", () =>
      Effect.gen(function*() {
        const forced = yield* call(postJson(v2Url, {
          model: "GigaChat-3-Ultra",
          messages: [{ role: "user", content: [{ text: "Create a simple square icon" }] }],
          tool_config: { mode: "forced", tool_name: "image_generate" },
          tools: [{ image_generate: {} }]
        }))
        const message = forced.body.messages[0]
        assert.strictEqual(message.role, "assistant")
        assert.isString(message.tool_state_id)
        const [files, text] = message.content
        assert.strictEqual(files.files.length, 1)
        assert.strictEqual(files.files[0].mime, "image/jpeg")
        assert.strictEqual(files.files[0].target, "image")
        assert.isString(text.text)
        assert.strictEqual(forced.body.finish_reason, "stop")
        const client = yield* authedClient
        const download = yield* client.get(`${baseUrl}/files/${files.files[0].id}/content`)
        assert.strictEqual(download.headers["content-type"], "image/jpeg")
        assert.isTrue(isJpeg(new Uint8Array(yield* download.arrayBuffer)))

        const asked = yield* call(postJson(v2Url, { messages: user("Draw a cat"), tools: ["image_generate"] }))
        assert.strictEqual(asked.body.messages[0].content[0].files[0].target, "image")
        const chat = yield* call(postJson(v2Url, { messages: user("Hello"), tools: [{ image_generate: {} }] }))
        assert.isString(chat.body.messages[0].content[0].text)
      }).pipe(withEmulator()))

    it.effect("v2 stream: a response.tool.completed event, then the files part and the text", () =>
      Effect.gen(function*() {
        const client = yield* authedClient
        const response = yield* client.execute(postJson(v2Url, {
          messages: user("Draw a cat"),
          tools: [{ image_generate: {} }],
          stream: true
        }))
        const events = (yield* response.text).split("\n\n").filter((b) => b !== "").map((block) => ({
          event: /^event: (.*)$/m.exec(block)?.[1],
          data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null")
        }))
        assert.strictEqual(events[0].event, "response.tool.completed")
        assert.deepStrictEqual(events[0].data.messages[0].content[0].tool_execution, {
          name: "image_generate",
          status: "success",
          censored: false
        })
        assert.strictEqual(events[1].data.messages[0].content[0].files[0].mime, "image/jpeg")
        assert.strictEqual(events[events.length - 1].event, "response.message.done")
      }).pipe(withEmulator()))

    it.effect("v1 with function_call auto answers <img src=\"…\" fuse=\"true\"/> and the file downloads as a JPEG", () =>
      Effect.gen(function*() {
        const answer = yield* call(postJson(`${baseUrl}/chat/completions`, {
          model: "GigaChat",
          messages: user("Нарисуй кота"),
          function_call: "auto"
        }))
        const content: string = answer.body.choices[0].message.content
        const match = /^<img src="([0-9a-f-]{36})" fuse="true"\/>/.exec(content)
        assert.isNotNull(match)
        assert.strictEqual(answer.body.choices[0].finish_reason, "stop")
        const client = yield* authedClient
        const download = yield* client.get(`${baseUrl}/files/${match![1]}/content`)
        assert.isTrue(isJpeg(new Uint8Array(yield* download.arrayBuffer)))
        const plain = yield* call(postJson(`${baseUrl}/chat/completions`, { messages: user("Нарисуй кота") }))
        assert.notInclude(plain.body.choices[0].message.content, "<img")
      }).pipe(withEmulator()))
  })

  describe("function calls from a natural prompt", () => {
    const getWeather = {
      name: "get_weather",
      description: "Current weather in a city",
      parameters: {
        type: "object",
        properties: {
          city: { type: "string", description: "City name" },
          unit: { type: "string", enum: ["celsius", "fahrenheit"] }
        },
        required: ["city"]
      }
    }
    const setAlarm = {
      name: "set_alarm",
      description: "Sets an alarm clock",
      parameters: {
        type: "object",
        properties: { hour: { type: "integer", minimum: 0, maximum: 23 }, label: { type: "string" } },
        required: ["hour", "label"]
      }
    }
    const v1 = (content: string, functions: ReadonlyArray<unknown>) =>
      Effect.map(
        call(postJson(`${baseUrl}/chat/completions`, { model: "GigaChat", messages: user(content), functions })),
        (answer) => answer.body.choices[0]
      )

    it.effect("the weather in Rome calls get_weather({city: \"Rome\"}); a joke gets text", () =>
      Effect.gen(function*() {
        const rome = yield* v1("What's the weather like in Rome today?", [setAlarm, getWeather])
        assert.strictEqual(rome.finish_reason, "function_call")
        assert.deepStrictEqual(rome.message.function_call, { name: "get_weather", arguments: { city: "Rome" } })
        const moscow = yield* v1("Какая погода в Москве в fahrenheit?", [{
          ...getWeather,
          description: "Погода в городе"
        }])
        assert.deepStrictEqual(moscow.message.function_call.arguments, { city: "Москва", unit: "fahrenheit" })
        const joke = yield* v1("Tell me a joke", [getWeather, setAlarm])
        assert.strictEqual(joke.finish_reason, "stop")
      }).pipe(withEmulator()))

    it.effect("numbers and quoted strings fill their parameters; v2 functions too", () =>
      Effect.gen(function*() {
        const alarm = yield* v1("Please wake me: alarm at 7 with the label \"Gym\"", [getWeather, setAlarm])
        assert.deepStrictEqual(alarm.message.function_call, { name: "set_alarm", arguments: { hour: 7, label: "Gym" } })
        // Only the parameters match: "days" and a city for the location parameter.
        const byParameters = yield* v1("Rome, 3 days ahead", [{
          name: "f1",
          description: "Service call",
          parameters: {
            type: "object",
            properties: { location: { type: "string" }, days: { type: "integer" } },
            required: ["location"]
          }
        }])
        assert.deepStrictEqual(byParameters.message.function_call, {
          name: "f1",
          arguments: { location: "Rome", days: 3 }
        })
        const v2 = yield* call(postJson(v2Url, {
          messages: user("Is it raining in Kazan?"),
          tools: [{ functions: { specifications: [getWeather] } }]
        }))
        assert.strictEqual(v2.body.finish_reason, "function_call")
        assert.deepStrictEqual(v2.body.messages[0].content[0].function_call, {
          name: "get_weather",
          arguments: { city: "Kazan" }
        })
      }).pipe(withEmulator()))

    it.effect("structured output takes keyed values, numbers and cities from the prompt", () =>
      Effect.gen(function*() {
        const answer = yield* call(postJson(`${baseUrl}/chat/completions`, {
          messages: user("Extract the person: name Ann, age 31, she lives in Paris and is a member: yes"),
          response_format: {
            type: "json_schema",
            schema: {
              type: "object",
              properties: {
                name: { type: "string" },
                age: { type: "integer" },
                city: { type: "string" },
                member: { type: "boolean" },
                email: { type: "string", format: "email" }
              },
              required: ["name", "age", "city", "member", "email"]
            }
          }
        }))
        assert.deepStrictEqual(JSON.parse(answer.body.choices[0].message.content), {
          name: "Ann",
          age: 31,
          city: "Paris",
          member: true,
          email: "user@example.com"
        })
      }).pipe(withEmulator()))
  })
})
