/** Every item of a cursor-paged read, page after page (for slices known to be bounded). */
export const allPages = async <T>(
  read: (cursor: string | undefined) => Promise<{ items: T[]; cursor?: string }>,
): Promise<T[]> => {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
};
