// The JavaScript API of Licet's WebAssembly module (wasm/, built by
// `make wasm` into site/static/wasm/licet.wasm). Loading the module with
// Go's wasm_exec.js installs `globalThis.licet`; site/static/js/codec.js
// does that and resolves to it.
//
// No function throws for bad input: each answers with `ok: false` and an
// `error` whose `kind` is stable.

/** The kinds of error a device-code function reports (typed codes add 'malformed'). */
export type DeviceCodeErrorKind =
  | 'syntax'        // a character outside the alphabet (U included); see position/char
  | 'length'        // not 25 code characters; see got/want
  | 'uncorrectable' // more than one wrong character; see first/last
  | 'version'       // checks, but an unknown format version
  | 'malformed'     // confirmation/release code: a field out of range
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

/** Bytes in: a Uint8Array or an ArrayBuffer. */
export type BytesIn = Uint8Array | ArrayBuffer;

/** Any failed answer: a stable kind and an English message. */
export interface Failure<K extends string = string> {
  ok: false;
  result: 'invalid';
  error: { kind: K | 'argument' | 'internal'; message: string; [detail: string]: unknown };
}

/** A typed confirmation code (docs/formats.md, "Confirmation codes"). */
export interface ConfirmationCodeFields {
  version: number;
  /** The grant ends this many days after the order's start; 0: the order's end. */
  days: number;
  /** The id of the license the terminal keeps for it, 32 hex digits. */
  license_id: string;
}

/** A typed release code (docs/formats.md, "Release codes"). */
export interface ReleaseCodeFields {
  version: number;
  flags: number;
  /** First 8 bytes of the released license's id, 16 hex digits. */
  license_prefix: string;
  /** Day of the release, days since 1970-01-01 (UTC), and as YYYY-MM-DD. */
  day: number;
  date: string;
}

export interface TypedCodeAccepted<F> {
  ok: true;
  result: 'valid' | 'corrected';
  canonical: string;
  fields: F;
  /** At most one per check block. */
  corrections: DeviceCodeCorrection[];
}

/** A typed code being entered; groups of five as for device codes. */
export type TypedCodeProgress<F> = Omit<DeviceCodeProgress, 'fields'> & { fields?: F };

/** What makeRequest needs: GET /api/birth of the terminal page gives most of it. */
export interface RequestInput {
  /** Short product id, 1..65535. */
  product: number;
  /** fingerprint.Record canonical bytes, or their base64 (as /api/birth sends them). */
  birthRecord: BytesIn | string;
  /** Request nonce, 1..4194303. */
  nonce: number;
  /** When the request was made, Unix seconds (the bundle's issued_at). */
  issuedAt: number;
  /** The vendor portal's base URL; omit for no request URL. */
  portal?: string;
  /** Instance id in container identity mode. */
  instance?: string;
}

export interface RequestMade {
  ok: true;
  result: 'valid';
  /** XXXXX-XXXXX-XXXXX-XXXXX-XXXXX */
  device_code: string;
  /** SHA-256 of the birth record, 64 hex digits. */
  digest: string;
  product: number;
  nonce: number;
  /** Components in the birth record. */
  components: number;
  /** The request bundle (codec CBOR) the URL carries. */
  bundle: Uint8Array;
  /** false when the component hashes were left out to fit the QR code. */
  with_components: boolean;
  /** HTTPS://PORTAL/R/<BASE32>, present when a portal was given and it fits. */
  request_url?: string;
  url_error?: { kind: 'no-portal' | 'portal' | 'too-long'; message: string };
}

/** The fields of a request bundle (JSON form of codec.RequestBundle). */
export interface RequestBundleFields {
  type: 'request';
  version: number;
  id: string;
  issued_at: string;
  product: number;
  order?: string;
  digest: string;
  components?: { kind: string; hash: string }[];
  terminal_key?: string;
  nonce: number;
  instance?: string;
  [field: string]: unknown;
}

export interface RequestURLParsed {
  ok: true;
  result: 'valid';
  /** Normalized portal: upper case, no trailing slash. */
  portal: string;
  /** The URL in canonical (upper-case) form. */
  url: string;
  /** The base32 part after /R/. */
  request: string;
  bundle: Uint8Array;
  /** When the request is a request bundle: */
  fields?: RequestBundleFields;
  device_code?: string;
  /** When it is not (the portal decides what to do with it): */
  bundle_error?: { kind: LicenseErrorKind; message: string };
}

/** Error kinds of license files: the names of codec/testdata/vectors. */
export type LicenseErrorKind =
  | 'malformed' | 'non-canonical' | 'unknown-field' | 'version' | 'invalid'
  | 'untrusted-key' | 'bad-signature' | 'expired' | 'not-yet-valid'
  | 'delegation' | 'wrong-product' | 'chain' | 'roots';

/** One signed object of a license file, issuer first. */
export interface LicenseLink {
  /** order, device, lease, usage-report, release-receipt, request */
  type: string;
  /** Object id, 32 hex digits. */
  id: string;
  /** Id of the key that signed it, 32 hex digits. */
  key_id: string;
  /** Bytes of the COSE_Sign message. */
  size: number;
}

/**
 * The fields of a signed object in their JSON form (codec's JSON tags:
 * ids and bytes in hex, times in RFC 3339, lengths of time in seconds),
 * e.g. type, id, issued_at, not_before, not_after, product, product_name,
 * features, order, binding {digest, nonce, policy, components, instance},
 * customer, mode, seats, ... as the object has them.
 */
export type ObjectFields = { type: string; id: string; issued_at: string; [field: string]: unknown };

export interface LicenseFileRead {
  ok: true;
  result: 'valid';
  armoured: boolean;
  /** The armour label: LICET LICENSE, LICET USAGE REPORT, ... */
  label: string;
  /** Armoured text of the file. */
  armour: string;
  /** CBOR of the file. */
  binary: Uint8Array;
  links: LicenseLink[];
  leaf: ObjectFields;
}

export interface LicenseVerified {
  ok: boolean;
  result: 'valid' | 'invalid';
  /** Present whenever the file could be read, verified or not. */
  armoured?: boolean;
  label?: string;
  links?: LicenseLink[];
  leaf?: ObjectFields;
  /** When valid: the order license of the chain, and the key ids that anchor and sign it. */
  order?: ObjectFields;
  root?: string;
  signer?: string;
  /** When invalid; link is the 1-based failing link when known. */
  error?: { kind: LicenseErrorKind | 'argument' | 'internal'; message: string; link?: number };
}

/** A transfer of an animated QR. */
export interface Transfer {
  /** 8 hex digits each. */
  id: string;
  check: string;
  /** Payload bytes and source blocks. */
  length: number;
  blocks: number;
}

/** The frames of one payload (docs/formats.md, "Animated QR"). */
export interface Sender {
  ok: true;
  transfer: Transfer;
  block_size: number;
  /** Frames of the first loop (source frames and repair frames). */
  loop_length: number;
  /** Characters of each frame text. */
  frame_chars: number;
  /** The text of frame seq ("LQ1:..."); any seq >= 0 (later frames are fresh repair frames). */
  frame(seq: number): string;
  /** Frees the Go side; the object is unusable afterwards. */
  release(): void;
}

export interface ReceiverProgress {
  /** Frames accepted, duplicates included. */
  frames: number;
  /** Independent frames; the payload is there at rank == blocks. */
  rank: number;
  /** Source blocks recovered so far. */
  known: number;
  blocks: number;
  missing: number;
  done: boolean;
  transfer?: Transfer;
}

export interface ReceiverAnswer {
  /** false only for "malformed". */
  ok: boolean;
  /**
   * new: the frame added information; redundant: nothing new; done: the
   * payload can be read; foreign: a frame of another transfer, ignored;
   * switched: the receiver started over on the other transfer (after
   * switchAfter of its frames in a row); malformed: not a frame.
   */
  result: 'new' | 'redundant' | 'done' | 'foreign' | 'switched' | 'malformed';
  progress: ReceiverProgress;
  error?: { kind: 'foreign' | 'malformed'; message: string };
}

/** Receives an animated QR: frames in any order, with duplicates and gaps. */
export interface Receiver {
  ok: true;
  add(frameText: string): ReceiverAnswer;
  progress(): ReceiverProgress;
  payload(): { ok: true; result: 'valid'; payload: Uint8Array; transfer: Transfer } | Failure<'incomplete' | 'checksum'>;
  /** Forgets everything received. */
  reset(): ReceiverProgress;
  release(): void;
}

export interface QROptions {
  /** Error correction level; default M. */
  level?: 'L' | 'M' | 'Q' | 'H';
  /** Largest version, 1..40; default 40. */
  maxVersion?: number;
  /** Quiet zone in modules; default 4. */
  quiet?: number;
}

export interface QRDrawn {
  ok: true;
  result: 'valid';
  /** A standalone SVG document without width or height, one unit per module. */
  svg: string;
  version: number;
  /** Modules on a side. */
  size: number;
  /** alphanumeric for text of the QR alphanumeric set, else byte. */
  mode: 'alphanumeric' | 'byte';
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

  /** Reads a typed confirmation code (80 characters, three check blocks). */
  parseConfirmationCode(input: string): TypedCodeAccepted<ConfirmationCodeFields> | DeviceCodeRejected;
  /** Checks a confirmation code being typed; each block is checked once complete. */
  checkConfirmationCode(input: string): TypedCodeProgress<ConfirmationCodeFields>;
  /** Reads a typed release code (40 characters, two check blocks). */
  parseReleaseCode(input: string): TypedCodeAccepted<ReleaseCodeFields> | DeviceCodeRejected;
  checkReleaseCode(input: string): TypedCodeProgress<ReleaseCodeFields>;

  /**
   * The device code and request URL of a terminal from its birth record,
   * made as licetd makes them.
   */
  makeRequest(input: RequestInput): RequestMade | Failure<'product' | 'nonce' | 'issued_at' | 'birth_record' | 'bundle'>;
  /** PORTAL/R/<bundle in base32>, upper case; at most 366 characters. */
  requestURL(portal: string, bundle: BytesIn): { ok: true; result: 'valid'; url: string } | Failure<'portal' | 'too-long'>;
  /** Splits a request URL (any case in scheme, host and /R/) and reads its bundle. */
  parseRequestURL(url: string): RequestURLParsed | Failure<'syntax' | 'too-long'>;
  /** The fields of a request bundle and the device code of the same request. */
  parseRequestBundle(bundle: BytesIn): ({ ok: true; result: 'valid'; fields: RequestBundleFields; device_code?: string }) | Failure<LicenseErrorKind>;

  /** Reads a license file (armoured text or CBOR) without checking signatures. */
  readLicenseFile(file: string | BytesIn): LicenseFileRead | Failure<LicenseErrorKind>;
  /**
   * Verifies a license file against trusted roots ("licet-pub1:..." lines;
   * blank lines and # comments ignored) at an instant: a Date, ms since
   * 1970 (Date.now()), or RFC 3339.
   */
  verifyLicense(file: string | BytesIn, roots: string, now: Date | number | string): LicenseVerified;

  /** The frames of an animated QR of payload; blockSize default 400 (version 16 at level M). */
  newSender(payload: string | BytesIn, options?: { blockSize?: number; transferId?: number }): Sender | Failure<'payload'>;
  /** A receiver; switchAfter (default 6, 0 never) frames of one other transfer in a row make it start over on that one. */
  newReceiver(options?: { switchAfter?: number }): Receiver;

  /** A QR code of text as SVG. */
  qrSVG(text: string, options?: QROptions): QRDrawn | Failure<'empty' | 'too-long'>;
}

declare global {
  // eslint-disable-next-line no-var
  var licet: Licet | undefined;
}
