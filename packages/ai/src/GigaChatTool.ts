/**
 * GigaChat's built-in tools as `@effect/ai` provider-defined tools: the server runs them (web search, code
 * interpreter, image generation, URL content extraction, 3D models), so they need no handler. Put them in a
 * `Toolkit` next to your own tools; `GigaChatLanguageModel` sends each as its `tools[]` entry (v2), and reports a
 * finished run as a provider-executed tool call with its result (`{ name, status, censored? }`). Generated files come
 * as `file` parts.
 *
 * @example
 * ```ts
 * import { GigaChatTool } from "@effect-gigachat/ai"
 * import { Toolkit } from "@effect/ai"
 *
 * const toolkit = Toolkit.make(GigaChatTool.WebSearch({ type: "actual_info_web_search" }))
 * ```
 *
 * @since 0.2.0
 */
import * as Tool from "@effect/ai/Tool"
import * as Schema from "effect/Schema"

/**
 * What a finished built-in run reports: the tool's name, `success` or `fail`, and whether the answer was censored.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ToolExecution = Schema.Struct({
  name: Schema.optional(Schema.String),
  status: Schema.String,
  censored: Schema.optional(Schema.Boolean)
})

/**
 * The web search (`{ "web_search": { type?, indexes?, flags? } }`); `type` is `web_search` (the default),
 * `actual_info_web_search` or `safe_search`. Its sources come as `source` parts.
 *
 * @since 0.2.0
 * @category tools
 */
export const WebSearch = Tool.providerDefined({
  id: "gigachat.web_search",
  toolkitName: "GigaChatWebSearch",
  providerName: "web_search",
  args: {
    type: Schema.optional(Schema.String),
    indexes: Schema.optional(Schema.Array(Schema.String)),
    flags: Schema.optional(Schema.Array(Schema.String))
  },
  success: ToolExecution,
  failure: ToolExecution
})

/**
 * The code interpreter (`{ "code_interpreter": {} }`).
 *
 * @since 0.2.0
 * @category tools
 */
export const CodeInterpreter = Tool.providerDefined({
  id: "gigachat.code_interpreter",
  toolkitName: "GigaChatCodeInterpreter",
  providerName: "code_interpreter",
  args: {},
  success: ToolExecution,
  failure: ToolExecution
})

/**
 * Image generation (`{ "image_generate": {} }`); the images come as `file` parts (downloaded with
 * `GET /files/{id}/content`).
 *
 * @since 0.2.0
 * @category tools
 */
export const ImageGenerate = Tool.providerDefined({
  id: "gigachat.image_generate",
  toolkitName: "GigaChatImageGenerate",
  providerName: "image_generate",
  args: {},
  success: ToolExecution,
  failure: ToolExecution
})

/**
 * Reading the pages of URLs in the prompt (`{ "url_content_extraction": {} }`).
 *
 * @since 0.2.0
 * @category tools
 */
export const UrlContentExtraction = Tool.providerDefined({
  id: "gigachat.url_content_extraction",
  toolkitName: "GigaChatUrlContentExtraction",
  providerName: "url_content_extraction",
  args: {},
  success: ToolExecution,
  failure: ToolExecution
})

/**
 * 3D model generation (`{ "model_3d_generate": {} }`); the models come as `file` parts.
 *
 * @since 0.2.0
 * @category tools
 */
export const Model3dGenerate = Tool.providerDefined({
  id: "gigachat.model_3d_generate",
  toolkitName: "GigaChatModel3dGenerate",
  providerName: "model_3d_generate",
  args: {},
  success: ToolExecution,
  failure: ToolExecution
})
