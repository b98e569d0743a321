import type { mfaEn } from './catalogue-mfa-en.js';

/** Second factors in Simplified Chinese; the keys of catalogue-mfa-en.ts. */
export const mfaZhCN: { readonly [K in keyof typeof mfaEn]: string } = {
  'mfa.step.title': '两步验证',
  'mfa.step.heading': '两步验证',
  'mfa.step.lead': '请输入身份验证器应用中的 6 位验证码，或一个恢复码。',
  'mfa.step.stepUp': '{client} 需要你用第二因素确认身份后才能继续。',
  'mfa.step.code': '验证码',
  'mfa.step.submit': '验证',
  'mfa.step.passkey': '改用通行密钥',
  'mfa.step.recoveryHint': '手机丢失？可在同一输入框中输入一个恢复码。',
  'mfa.step.error.wrong': '验证码不正确或已被使用。请尝试下一个验证码。',
  'mfa.step.error.missing': '请输入验证码。',
  'mfa.step.error.tooMany': '错误次数过多。请在 {wait}后重试。',

  'mfa.required.title': '需要两步验证',
  'mfa.required.message':
    '{client} 要求两步验证，而你的账号尚未设置第二因素。请先在账号页面（{link}）设置，然后重新登录。',
  'mfa.required.advice': '使用任意身份验证器应用，一分钟即可设置完成。',
  'mfa.required.continue': '设置完成后，继续前往 {client}',

  'mfa.account.heading': '两步验证',
  'mfa.account.lead': '即使有人知道了你的密码，第二因素也能保护你的账号安全。',
  'mfa.account.totpOn': '身份验证器应用：已开启',
  'mfa.account.totpOff': '身份验证器应用：未开启',
  'mfa.account.recoveryLeft': '剩余恢复码：{count} 个',
  'mfa.account.manage': '管理两步验证',
  'mfa.account.addTotp': '设置身份验证器应用',
  'mfa.account.removeTotp': '关闭身份验证器应用',
  'mfa.account.regenerate': '生成新的恢复码',
  'mfa.account.back': '返回我的账号',
  'mfa.account.removeRefused':
    '你的角色要求启用两步验证，因此无法关闭最后一个第二因素。请先添加另一个，或联系管理员。',

  'mfa.enrol.title': '设置身份验证器应用',
  'mfa.enrol.scan': '请用身份验证器应用扫描此二维码，或手动输入下方的密钥。',
  'mfa.enrol.qr': '身份验证器应用的二维码',
  'mfa.enrol.secret': '密钥',
  'mfa.enrol.code': '应用显示的验证码',
  'mfa.enrol.submit': '开启',
  'mfa.enrol.error.wrong': '验证码不正确。请确认手机时间准确，然后尝试下一个验证码。',

  'mfa.codes.title': '你的恢复码',
  'mfa.codes.lead':
    '无法使用身份验证器应用时，每个恢复码可使用一次。请妥善保存：它们只在此时显示。',
  'mfa.codes.done': '我已保存',

  'mfa.done.totpAdded': '两步验证已开启。',
  'mfa.done.totpRemoved': '身份验证器应用已关闭。',

  'mail.mfaChanged.subject': '你的 Latchkey 两步验证设置已更改',
  'mail.mfaChanged.totpAdded': '你的 Latchkey 账号于 {time} 添加了身份验证器应用。',
  'mail.mfaChanged.totpRemoved': '你的 Latchkey 账号于 {time} 移除了身份验证器应用。',
  'mail.mfaChanged.recoveryRegenerated':
    '你的 Latchkey 账号于 {time} 生成了新的恢复码，旧恢复码已失效。',
  'mail.mfaChanged.reset':
    '管理员于 {time} 移除了你的 Latchkey 账号的所有第二因素，并退出了所有会话。',
  'mail.mfaChanged.note': '如果这不是你本人所为，请立即重置密码并告知管理员：',
};
