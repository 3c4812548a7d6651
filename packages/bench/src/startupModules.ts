/**
 * Start-up child (b): the modules themselves, by subpath. See `startup.ts`.
 */
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
import { run } from "./startupChild.js"

run({ GigaChat, NodeGigaChat }, performance.now())
