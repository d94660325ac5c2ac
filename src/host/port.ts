/**
 * The engine host port lives in the protocol package (`@threadline/protocol/host`), so a
 * third-party host gets its types from the package alone; Threadline's own hosts import it here.
 */
export {
  HOST_API_VERSION,
  EngineEventSchema,
  EngineItemKindSchema,
  EngineUsageSchema,
  EngineApprovalRequestSchema,
  ApprovalKindSchema,
  type ApprovalDecision,
  type ApprovalKind,
  type CompactionInput,
  type CreateHost,
  type Engine,
  type EngineApprovalRequest,
  type EngineEvent,
  type EngineEventType,
  type EngineHost,
  type EngineItemKind,
  type EngineThread,
  type EngineUsage,
  type HistoryEntry,
  type HostLogger,
  type HostOptions,
  type HostServices,
  type HostTool,
  type HostToolResult,
  type HostTools,
  type TurnContext,
  type TurnInput,
} from '@threadline/protocol/host';
