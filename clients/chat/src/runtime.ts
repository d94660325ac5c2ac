// What the terminal app needs from the protocol package, loaded after its prompt is drawn:
// `@threadline/protocol` builds every zod schema when it loads, the slowest part of start-up;
// the thread view brings the markdown renderer (marked), which no prompt needs to be drawn.
export { ServerExitedError } from '@threadline/protocol';
export { Connection } from './connection.js';
export { ThreadFeed } from './feed.js';
export { chooseThread, describeExit, errorText, FatalError } from './startup.js';
export { copiedTurns } from './fork-history.js';
export { ThreadView } from './thread-view.js';
