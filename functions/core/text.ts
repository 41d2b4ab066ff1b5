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
