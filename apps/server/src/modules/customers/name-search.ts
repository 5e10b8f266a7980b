import { pinyin } from 'pinyin-pro';

/** Search forms of a name: toneless pinyin without spaces ("zhangwei") and initials ("zw"). */
export function nameSearchForms(name: string | null): { pinyin: string | null; initials: string | null } {
  if (!name) return { pinyin: null, initials: null };
  const text = name.trim();
  if (!/[\u4e00-\u9fff]/.test(text)) {
    const words = text
      .toLowerCase()
      .split(/[\s.·-]+/)
      .filter(Boolean);
    return { pinyin: words.join(''), initials: words.map((w) => w[0]).join('') };
  }
  const syllables = pinyin(text, { toneType: 'none', type: 'array', surname: 'head' }) as string[];
  const clean = syllables.map((s) => s.toLowerCase().replace(/[^a-z]/g, '')).filter(Boolean);
  return { pinyin: clean.join(''), initials: clean.map((s) => s[0]).join('') };
}
