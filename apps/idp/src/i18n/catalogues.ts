import { en } from './catalogue-en.js';
import type { Catalogue } from './catalogue.js';
import { zhCN } from './catalogue-zh-cn.js';
import type { Locale } from './locales.js';

/** One catalogue per supported locale; adding a locale without one is a type error. */
export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, 'zh-CN': zhCN };
