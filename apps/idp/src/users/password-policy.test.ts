import { describe, expect, it } from 'vitest';
import {
  checkNewPassword,
  isCommonPassword,
  loadCommonPasswords,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  normalisePassword,
  passwordLength,
} from './password-policy.js';

/** Long enough, not in any list, not a username: the baseline every rule bends one way. */
const GOOD = 'tangerine-lighthouse-47';

describe('password policy (NIST SP 800-63B §3.1.1.2)', () => {
  describe('length: at least 8 and at most 128 characters, counted after NFKC', () => {
    it.each([
      [0, 'too_short'],
      [7, 'too_short'],
      [8, null],
      [128, null],
      [129, 'too_long'],
      [100_000, 'too_long'],
    ] as const)('a password of %i characters is %s', (length, problem) => {
      expect(checkNewPassword(randomLooking(length))).toBe(problem);
    });

    it('counts code points, so eight emoji are eight characters, not sixteen', () => {
      const emoji = '🔑🦊🌊🎻🍋🚲🧭🪁';
      expect(emoji.length).toBe(16);
      expect(passwordLength(emoji)).toBe(8);
      expect(checkNewPassword(emoji)).toBeNull();
      expect(checkNewPassword(emoji.slice(0, 14))).toBe('too_short');
    });

    it('counts after NFKC, so a ligature that expands to enough letters is long enough', () => {
      // U+FB03 "ﬃ" is three letters once normalised: 6 typed characters become 8.
      expect(checkNewPassword('\uFB03zqxj')).toBe('too_short');
      expect(checkNewPassword('\uFB03zqxjv')).toBeNull();
    });

    it('exports the limits the pages show', () => {
      expect(MIN_PASSWORD_LENGTH).toBe(8);
      expect(MAX_PASSWORD_LENGTH).toBe(128);
    });
  });

  describe('characters: any Unicode a person can type again', () => {
    it('refuses a NUL byte anywhere', () => {
      expect(checkNewPassword(`${GOOD}\u0000`)).toBe('invalid_characters');
      expect(checkNewPassword(`\u0000${GOOD}`)).toBe('invalid_characters');
    });

    it('refuses a lone high or low surrogate', () => {
      expect(checkNewPassword(`${GOOD}\uD83D`)).toBe('invalid_characters');
      expect(checkNewPassword(`\uDD11${GOOD}`)).toBe('invalid_characters');
      // A low surrogate before a high one is two lone halves, not a pair.
      expect(checkNewPassword(`${GOOD}\uDD11\uD83D`)).toBe('invalid_characters');
    });

    it('refuses U+FFFD, what a form decoder makes of bytes that were not UTF-8', () => {
      expect(checkNewPassword(`${GOOD}\uFFFD`)).toBe('invalid_characters');
      expect(checkNewPassword(decodeURIComponent('%EF%BF%BD') + GOOD)).toBe('invalid_characters');
    });

    it('accepts paired surrogates (emoji) and scripts beyond Latin', () => {
      expect(checkNewPassword(`${GOOD}🔑`)).toBeNull();
      expect(checkNewPassword('密码不是生日而是一句诗')).toBeNull();
      expect(checkNewPassword('пароль-из-трёх-слов')).toBeNull();
    });

    it('normalises full-width input to its ASCII form (NFKC)', () => {
      const fullWidth = 'ｔａｎｇｅｒｉｎｅ－ｌｉｇｈｔｈｏｕｓｅ－４７';
      expect(normalisePassword(fullWidth)).toBe(GOOD);
      expect(checkNewPassword(fullWidth)).toBeNull();
      // And so a full-width common password is as common as the ASCII one.
      expect(checkNewPassword('ｐａｓｓｗｏｒｄ１')).toBe('common');
    });

    it('normalises composed and decomposed accents to one form', () => {
      expect(normalisePassword('cafe\u0301-au-lait')).toBe(normalisePassword('caf\u00e9-au-lait'));
    });
  });

  describe('identity: not the username nor the email local part', () => {
    it('refuses a password containing the username, in any case or width', () => {
      expect(checkNewPassword('my-alice-pass-77', { username: 'alice' })).toBe('contains_username');
      expect(checkNewPassword('MY-ALICE-PASS-77', { username: 'alice' })).toBe('contains_username');
      expect(checkNewPassword('my-ａｌｉｃｅ-pass-77', { username: 'Alice ' })).toBe(
        'contains_username',
      );
    });

    it("refuses a password containing the email's local part", () => {
      expect(checkNewPassword('robert.smith-2024!', { email: 'Robert.Smith@example.com' })).toBe(
        'contains_username',
      );
      expect(checkNewPassword(GOOD, { username: 'bob', email: 'bob@example.com' })).toBeNull();
    });

    it('ignores names shorter than three characters (they would refuse half of all passwords)', () => {
      expect(checkNewPassword('al-tangerine-47', { username: 'al' })).toBeNull();
    });
  });

  describe('common passwords: a bundled list of at least 100,000', () => {
    it('holds at least 100,000 passwords of a usable length', () => {
      expect(loadCommonPasswords()).toBeGreaterThanOrEqual(100_000);
    });

    it.each(['password1', 'qwerty123', 'iloveyou', 'P@ssw0rd', 'Password123', 'baseball1'])(
      'refuses %s',
      (password) => {
        expect(checkNewPassword(password)).toBe('common');
      },
    );

    it('compares without regard to case', () => {
      expect(isCommonPassword('QWERTY123')).toBe(true);
      expect(checkNewPassword('IloveYou')).toBe('common');
    });

    it('accepts a password that is in no list', () => {
      expect(isCommonPassword(GOOD)).toBe(false);
      expect(checkNewPassword(GOOD)).toBeNull();
    });
  });
});

/** A password of `length` characters that no list holds and no rule but length refuses. */
function randomLooking(length: number): string {
  const alphabet = 'bcdfghjkmnpqrstvwxz23456789';
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[(i * 7 + ((i / 27) | 0)) % alphabet.length];
  return text;
}
