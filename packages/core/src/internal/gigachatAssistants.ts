/**
 * The `assistants` namespace of the `GigaChat` service, through the JSON calls of `jsonCalls.ts`.
 */
import * as Assistants from "../Assistants.js"
import type * as GigaChatConfig from "../GigaChatConfig.js"
import type * as HttpTransport from "../HttpTransport.js"
import * as JsonCalls from "./jsonCalls.js"
import * as telemetry from "./telemetry.js"

/**
 * What the namespaces need from the `GigaChat` service under construction.
 *
 * @internal
 */
export interface Dependencies {
  readonly config: GigaChatConfig.Service
  readonly transport: HttpTransport.Service
}

const orNull = <A>(value: A | undefined): A | null => value === undefined ? null : value

/** @internal */
export const make = ({ config, transport }: Dependencies): Assistants.AssistantsService => {
  const { get, post } = JsonCalls.make(transport)
  // See `nested` in gigachat.ts.
  const nested = config.httpSpans

  return {
    get: (assistantId) =>
      get("/assistants", [["assistant_id", assistantId === "" ? undefined : assistantId]], Assistants.Assistants)
        .pipe(telemetry.withSpan("GigaChat.assistants.get", { parent: nested })),
    create: (input) =>
      post("/assistants", Assistants.CreateAssistantRequest, {
        model: input.model,
        name: input.name,
        description: orNull(input.description),
        instructions: orNull(input.instructions),
        file_ids: orNull(input.file_ids),
        metadata: orNull(input.metadata),
        ...(input.functions !== undefined ? { functions: input.functions } : {})
      }, Assistants.CreateAssistant).pipe(telemetry.withSpan("GigaChat.assistants.create", { parent: nested })),
    update: (assistantId, changes) =>
      post("/assistants/modify", Assistants.UpdateAssistantRequest, {
        assistant_id: assistantId,
        name: orNull(changes.name),
        description: orNull(changes.description),
        instructions: orNull(changes.instructions),
        file_ids: orNull(changes.file_ids),
        metadata: orNull(changes.metadata),
        ...(changes.functions !== undefined ? { functions: changes.functions } : {})
      }, Assistants.Assistant).pipe(telemetry.withSpan("GigaChat.assistants.update", { parent: nested })),
    delete: (assistantId) =>
      post(
        "/assistants/delete",
        Assistants.DeleteAssistantRequest,
        { assistant_id: assistantId },
        Assistants.AssistantDelete
      ).pipe(telemetry.withSpan("GigaChat.assistants.delete", { parent: nested })),
    deleteFile: (assistantId, fileId) =>
      post(
        "/assistants/files/delete",
        Assistants.DeleteAssistantFileRequest,
        { assistant_id: assistantId, file_id: fileId },
        Assistants.AssistantFileDelete
      ).pipe(telemetry.withSpan("GigaChat.assistants.deleteFile", { parent: nested }))
  }
}
