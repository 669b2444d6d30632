// The JavaScript API of Licet's WebAssembly module (wasm/, built by
// `make wasm` into site/static/wasm/licet.wasm). Loading the module with
// Go's wasm_exec.js installs `globalThis.licet`; site/static/js/codec.js
// does that and resolves to it.
//
// No function throws for bad input: each answers with `ok: false` and an
// `error` whose `kind` is stable.

/** The kinds of error a device-code function reports. */
export type DeviceCodeErrorKind =
  | 'syntax'        // a character outside the alphabet (U included); see position/char
  | 'length'        // not 25 code characters; see got/want
  | 'uncorrectable' // more than one wrong character; see first/last
  | 'version'       // checks, but an unknown format version
  | 'argument'      // the function was called with a non-string
  | 'internal';     // a defect in the module

export interface CodecError {
  kind: DeviceCodeErrorKind;
  /** English, starts with "devcode: " for codec errors; for logs and fallbacks. */
  message: string;
  /** syntax: 1-based position of the bad character in the input as typed (separators counted). */
  position?: number;
  /** syntax: the bad character as typed. */
  char?: string;
  /** uncorrectable: 1-based first and last code positions of the check block that failed. */
  first?: number;
  last?: number;
  /** length: code characters typed and wanted. */
  got?: number;
  want?: number;
}

/** The fields carried by a device code (docs/formats.md, "Device codes"). */
export interface DeviceCodeFields {
  version: number;
  flags: number;
  /** The product's short numeric id (0..65535). */
  product: number;
  /** First 8 bytes of the birth-record digest, 16 lower-case hex digits. */
  digest: string;
  /** Request nonce (22 bits). */
  nonce: number;
}

/** One character that was corrected. */
export interface DeviceCodeCorrection {
  /** 1-based position among the 25 code characters (hyphens not counted). */
  position: number;
  /** 1-based group of five that holds it. */
  group: number;
  /** The character read there, canonical (upper case, O→0, I/L→1). */
  was: string;
  /** The character it was corrected to. */
  became: string;
}

/** A device code that was accepted. */
export interface DeviceCodeAccepted {
  ok: true;
  /** "valid": accepted as typed; "corrected": after the listed corrections. */
  result: 'valid' | 'corrected';
  /** The code as XXXXX-XXXXX-XXXXX-XXXXX-XXXXX, after correction. */
  canonical: string;
  fields: DeviceCodeFields;
  /** Empty when result is "valid"; a device code has at most one. */
  corrections: DeviceCodeCorrection[];
}

export interface DeviceCodeRejected {
  ok: false;
  result: 'invalid';
  error: CodecError;
}

export type GroupStatus = 'empty' | 'partial' | 'filled' | 'ok' | 'corrected' | 'invalid';

/** The state of a device code while it is typed. */
export interface DeviceCodeProgress {
  ok: boolean;
  /**
   * "incomplete": fewer than 25 characters, no error so far;
   * "valid"/"corrected": complete and accepted (canonical, fields and
   * corrections are then present); "invalid": see error.
   */
  result: 'incomplete' | 'valid' | 'corrected' | 'invalid';
  /** The input so far: valid characters canonical, invalid ones as typed, grouped by five. */
  input: string;
  /** Code characters typed (separators not counted). */
  typed: number;
  /** Characters of a complete code (25). */
  length: number;
  complete: boolean;
  /** Five groups of five. "filled" is typed but not yet checkable. */
  groups: { text: string; status: GroupStatus }[];
  error?: CodecError;
  canonical?: string;
  fields?: DeviceCodeFields;
  corrections?: DeviceCodeCorrection[];
}

export interface Licet {
  /** Version of this API (1). */
  apiVersion: number;
  /** The module's build: module version or VCS revision. */
  version: string;
  /**
   * Reads a complete device code as a person typed it: ignores case,
   * spaces and hyphens, reads O as 0 and I/L as 1, corrects one wrong
   * character and reports it; rejects two.
   */
  parseDeviceCode(input: string): DeviceCodeAccepted | DeviceCodeRejected;
  /**
   * Checks a device code that is still being typed, group by group; for
   * complete input it agrees with parseDeviceCode.
   */
  checkDeviceCode(input: string): DeviceCodeProgress;
}

declare global {
  // eslint-disable-next-line no-var
  var licet: Licet | undefined;
}
