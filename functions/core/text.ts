/**
 * Texts written for people, in the languages dudao speaks: Chinese first,
 * English on request (`Accept-Language: en`). The core never sees HTTP: the
 * edge negotiates a `Language` and passes it to the use cases that write text.
 */
export const languages = ['zh', 'en'] as const;
export type Language = (typeof languages)[number];
export const defaultLanguage: Language = 'zh';

export interface Text {
  readonly zh: string;
  readonly en: string;
}

/** A text in both languages. */
export const say = (zh: string, en: string): Text => ({ zh, en });

/** The text in a language; a plain string (not yet translated) reads the same in both. */
export const inLanguage = (text: string | Text, language: Language): string =>
  typeof text === 'string' ? text : text[language];

/** Grades as people read them (letters, reports). */
export const gradeTexts: Readonly<Record<string, Text>> = {
  excellent: { zh: '优秀', en: 'excellent' },
  good: { zh: '良好', en: 'good' },
  pass: { zh: '合格', en: 'pass' },
  fail: { zh: '不合格', en: 'fail' },
};

/**
 * Chinese for the messages schemas write themselves (`.regex(re, '…')`): zod's
 * own messages come from its zh-CN locale, custom issues carry `params.zh`.
 */
export const schemaMessagesZh: Readonly<Record<string, string>> = {
  'must be a 6-digit county code': '须为 6 位区县代码',
  'is not a county in GB/T 2260': '不是 GB/T 2260 中的区县',
  'must be the 10-digit national school code': '须为 10 位全国学校标识码',
  'a 10-digit school code': '须为 10 位学校标识码',
  'is required': '必填',
  'must be a 9-digit town code': '须为 9 位乡镇代码',
  'must be a date (YYYY-MM-DD)': '须为日期（YYYY-MM-DD）',
  'must be 1–32 letters, digits, - or _': '须为 1–32 位字母、数字、- 或 _',
  '1–32 letters, digits, - or _': '须为 1–32 位字母、数字、- 或 _',
  'must be an 11-digit mobile number': '须为 11 位手机号码',
  'names a specialty twice': '重复列出了同一专业领域',
  'names a school twice': '重复列出了同一学校',
  'at most 50 schools': '最多 50 所学校',
  'a region code of 2, 4 or 6 digits': '须为 2、4 或 6 位区划代码',
  'must be a region code of 2, 4 or 6 digits': '须为 2、4 或 6 位区划代码',
  'a region code of 2, 4, 6 or 9 digits': '须为 2、4、6 或 9 位区划代码',
  'must be the hex SHA-256 of the file': '须为文件的 SHA-256（十六进制）',
  'lower-case letters, digits and -': '须为小写字母、数字和 -',
  'years 2000–2099': '年份须在 2000–2099 之间',
  'an id of 26 letters and digits': '须为 26 位字母和数字组成的编号',
  'a 10-digit school or 6-digit county code': '须为 10 位学校标识码或 6 位区县代码',
  'start must not be after end': '开始不得晚于结束',
  'deadlines must not fall before those of earlier phases': '各阶段期限不得早于之前阶段的期限',
};

/** A zod issue's message in a language: `params.zh` of a custom issue, the table above, or as zod wrote it. */
export const issueMessage = (
  issue: { readonly message: string; readonly code?: string; readonly params?: Record<string, unknown> },
  language: Language,
): string => {
  if (language === 'en') return issue.message;
  const zh = issue.params?.zh;
  return typeof zh === 'string' ? zh : (schemaMessagesZh[issue.message] ?? issue.message);
};
