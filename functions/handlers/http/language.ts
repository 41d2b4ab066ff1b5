import { z } from 'zod';
import { defaultLanguage, type Language } from '#core/text';

/**
 * Content negotiation of the language people read (problem details, letters,
 * files): `Accept-Language` with q-values; zh, zh-CN, zh-Hans… → zh; en,
 * en-US… → en; nothing usable → zh (Chinese first). `*` takes the default.
 */
export const negotiateLanguage = (acceptLanguage: string | undefined): Language => {
  if (!acceptLanguage) return defaultLanguage;
  const ranges = acceptLanguage
    .split(',')
    .map((part, order) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      const quality = q === undefined ? 1 : Number(q);
      return { tag: tag.trim().toLowerCase(), quality: Number.isFinite(quality) ? quality : 0, order };
    })
    .filter((r) => r.tag !== '' && r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.order - b.order);
  for (const { tag } of ranges) {
    const primary = tag.split('-')[0];
    if (primary === 'zh') return 'zh';
    if (primary === 'en') return 'en';
    if (tag === '*') return defaultLanguage;
  }
  return defaultLanguage;
};

/** Headers every response carries: what language it is in, and that it depends on Accept-Language. */
export const languageHeaders = (language: Language): Record<string, string> => ({
  'content-language': language,
  vary: 'Accept-Language',
});

/** zod's messages in the caller's language, given per parse (z.config would switch every request at once). */
const locales = { zh: z.locales.zhCN().localeError, en: z.locales.en().localeError } as const;
export const zodMessages = (language: Language) => locales[language];
