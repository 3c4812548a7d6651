import { GigaChat, RequestContext } from "@effect-gigachat/core"
export const x = GigaChat.chat("Remember: my name is Anna").pipe(RequestContext.withSessionId("conversation-42"))
