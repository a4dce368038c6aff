/**
 * Sender language codes. Mirrors `org.apache.rocketmq.remoting.protocol.LanguageCode`
 * (4.9.8; NODE_JS 13 exists only in 5.x, so OrbitMQ speaks as JAVA by default
 * like the ali-ons client does).
 */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  /** 5.x */
  NODE_JS: 13,
} as const;

export type LanguageName = keyof typeof LanguageCode;

const byCode: readonly string[] = Object.keys(LanguageCode);

/** Binary language byte → name; unknown bytes decode as `OTHER`. */
export function languageFromCode(code: number): string {
  return byCode[code] ?? 'OTHER';
}

/** Name → binary language byte; unknown names encode as OTHER (7). */
export function languageToCode(name: string): number {
  const code: unknown = (LanguageCode as Readonly<Record<string, number>>)[name];
  return typeof code === 'number' && Object.hasOwn(LanguageCode, name) ? code : LanguageCode.OTHER;
}

/**
 * `MQVersion.Version` ordinals worth naming (common/…/MQVersion.java). The
 * name server emits standard route JSON only to version ≥ V4_9_4.
 */
export const MQVersion = {
  V3_0_0_SNAPSHOT: 0,
  V3_4_9: 121,
  V4_9_4: 401,
  V4_9_8: 409,
  V5_0_0: 413,
  V5_3_3: 479,
} as const;
