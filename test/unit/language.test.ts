import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '#core/errors';
import { feedbackLetter } from '#core/inspection-service';
import { negotiateLanguage } from '#handlers/http/language';
import { toProblem } from '#handlers/http/problem';

describe('negotiateLanguage', () => {
  it.each([
    [undefined, 'zh'],
    ['', 'zh'],
    ['zh-CN', 'zh'],
    ['zh-Hans-CN,zh;q=0.9', 'zh'],
    ['en', 'en'],
    ['en-US,en;q=0.9,zh;q=0.1', 'en'],
    ['zh;q=0.2, EN-GB;q=0.8', 'en'],
    ['fr-FR, de;q=0.9', 'zh'],
    ['fr, en;q=0.5', 'en'],
    ['en;q=0, zh', 'zh'],
    ['*', 'zh'],
  ] as const)('%s → %s', (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });
});

describe('problem details', () => {
  it('render the text and title of the language, the type stays a code', () => {
    const error = new ConflictError({ zh: '该督导当前为第 3 版', en: 'The inspection is at version 3' }, [
      { path: 'body.version', message: { zh: '须为 3', en: 'must be 3' } },
    ]);
    expect(toProblem(error, 'r1', undefined, 'zh')).toMatchObject({
      type: 'https://dudao.dev/problems/conflict',
      title: '状态冲突',
      detail: '该督导当前为第 3 版',
      errors: [{ path: 'body.version', message: '须为 3' }],
    });
    expect(toProblem(error, 'r1', undefined, 'en')).toMatchObject({
      title: 'Conflict',
      detail: 'The inspection is at version 3',
      errors: [{ path: 'body.version', message: 'must be 3' }],
    });
  });

  it('read an untranslated message the same in both languages', () => {
    const error = new NotFoundError('Thing 1 not found.');
    expect(toProblem(error, 'r1', undefined, 'zh')).toMatchObject({
      title: '未找到',
      detail: 'Thing 1 not found.',
    });
    expect(error.message).toBe('Thing 1 not found.');
  });
});

describe('feedbackLetter', () => {
  it('names indicators by title and the grade by its label, in both languages', () => {
    const letter = feedbackLetter({
      score: 72,
      grade: 'pass',
      problems: 3,
      byIndicator: [
        { title: { zh: '消防安全', en: 'Fire safety' }, problems: 1 },
        { title: { zh: '食品安全', en: 'Food safety' }, problems: 2 },
      ],
      earliestDue: '2026-11-30',
    });
    expect(letter.zh).toBe(
      '督导得分 72，等次：合格。发现 3 个问题：消防安全（1 项）、食品安全（2 项）。请逐项制定整改方案，于期限内完成整改（最早期限 2026-11-30）。',
    );
    expect(letter.en).toBe(
      'Inspection score 72, grade: pass. 3 problems were found: Fire safety (1 item); Food safety (2 items). Plan the rectification of each one and complete it by its deadline (the earliest is 2026-11-30).',
    );
  });

  it('says when nothing is to be rectified', () => {
    const letter = feedbackLetter({ score: 95, grade: 'excellent', problems: 0, byIndicator: [] });
    expect(letter).toEqual({
      zh: '督导得分 95，等次：优秀。未发现需整改的问题。',
      en: 'Inspection score 95, grade: excellent. No problems to rectify were found.',
    });
  });
});
