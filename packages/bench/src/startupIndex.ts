/**
 * Start-up child (a): the package indexes, as the README's examples import them. See `startup.ts`.
 */
import { GigaChat } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import { run } from "./startupChild.js"

run({ GigaChat, NodeGigaChat }, performance.now())
