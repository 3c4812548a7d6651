import { NodeGigaChat } from "@effect-gigachat/node"
import { NodeRuntime } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { AppSettings, Documents, Summarizer, program } from "../src/examples/compose.js"
declare const seed: ReadonlyArray<{ id: string; title: string; text: string }>

const retryPolicy = Schedule.exponential("200 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))

const AppLive = Summarizer.layer.pipe(Layer.provideMerge(Documents.layerMemory(seed)), Layer.provideMerge(AppSettings.layer))
const MainLive = AppLive.pipe(Layer.provide(NodeGigaChat.layer({ retrySchedule: retryPolicy })))

NodeRuntime.runMain(program.pipe(Effect.provide(MainLive)))
