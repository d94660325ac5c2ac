/** The wire protocol version this package speaks (PROTOCOL.md, "version 1"). */
export const PROTOCOL_VERSION = 1;

/** Every protocol version a server built from this package accepts in `initialize`. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
