import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
export { GigaChat, NodeGigaChat }
