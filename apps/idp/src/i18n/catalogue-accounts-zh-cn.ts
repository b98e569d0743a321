import type { accountsEn } from './catalogue-accounts-en.js';

/** The account pages and emails in Simplified Chinese: spread into catalogue-zh-cn.ts. */
export const accountsZhCN: { readonly [K in keyof typeof accountsEn]: string } = {
  'login.forgotPassword': '忘记密码？',
  'login.error.notVerified':
    '请先验证你的邮箱：打开我们发给你的链接。找不到了？点击“忘记密码？”获取新的链接。',

  'form.error.expired': '此表单已过期，或是在其他浏览器中打开的。请重试。',
  'account.email': '邮箱地址',
  'account.error.invalidEmail': '请输入有效的邮箱地址。',

  'forgot.title': '忘记密码？',
  'forgot.heading': '重置密码',
  'forgot.intro': '请输入你账号的邮箱地址，我们会给你发送一个设置新密码的链接。',
  'forgot.submit': '发送链接',
  'forgot.sent.title': '请查收邮件',
  'forgot.sent.message':
    '如果有账号使用此邮箱地址，重置密码的链接已在发送途中。该链接仅可使用一次，30 分钟内有效。',
  'mail.sent.advice': '几分钟后仍未收到邮件？请查看垃圾邮件文件夹，或重新申请。',

  'reset.title': '设置新密码',
  'reset.heading': '设置新密码',
  'reset.invite.heading': '设置你的密码',
  'reset.for': '账号：{username}',
  'reset.password': '新密码',
  'reset.confirm': '再次输入新密码',
  'reset.hint': '至少 {min} 个字符，建议 {recommended} 个以上。由几个词组成的短语既安全又好记。',
  'reset.submit': '保存密码',
  'reset.error.mismatch': '两次输入的密码不一致。',
  'reset.done.title': '密码已保存',
  'reset.done.message':
    '你的密码已保存，此账号的所有会话均已退出登录。请在你使用的应用中用新密码重新登录。',

  'password.problem.tooShort': '密码太短：至少需要 {min} 个字符。',
  'password.problem.tooLong': '密码太长：最多 {max} 个字符。',
  'password.problem.invalidCharacters': '密码包含无法再次输入的字符（例如空字符）。',
  'password.problem.common': '这是最常见的密码之一，攻击者会首先尝试。请换一个。',
  'password.problem.containsUsername': '密码不能包含你的用户名或邮箱地址。',

  'link.invalid.title': '此链接无法使用',
  'link.invalid.message': '此链接已过期、已被使用，或已被更新的链接取代。',
  'link.invalid.advice': '请在“忘记密码？”页面重新获取链接。',

  'verify.title': '验证邮箱地址',
  'verify.message': '请确认此邮箱地址，以完成账号 {username} 的创建。',
  'verify.submit': '确认',
  'verify.done.title': '邮箱已验证',
  'verify.done.message': '你的账号已可以使用。请在你使用的应用中登录。',

  'signup.title': '注册账号',
  'signup.heading': '注册账号',
  'signup.username': '用户名',
  'signup.password': '密码',
  'signup.submit': '注册',
  'signup.error.invalidUsername': '用户名为 1 到 64 个字母、数字或 . _ @ + - 符号',
  'signup.error.usernameTaken': '此用户名已被占用，请换一个。',
  'signup.sent.title': '请查收邮件',
  'signup.sent.message':
    '我们已向 {email} 发送了一封邮件。请在 30 分钟内打开其中的链接，完成注册。',

  'mail.greeting': '{username}，你好：',
  'mail.linkNote':
    '该链接仅可使用一次，30 分钟内有效。如果这不是你本人的操作，请忽略此邮件，一切不会改变。',
  'mail.copyLink': '如果按钮无法使用，请将以下地址复制到浏览器中打开：',
  'mail.reset.subject': '重置你的 Latchkey 密码',
  'mail.reset.body':
    '有人（希望是你本人）申请重置你的 Latchkey 账号密码。请打开以下链接设置新密码：',
  'mail.reset.action': '设置新密码',
  'mail.invite.subject': '你的 Latchkey 账号已创建',
  'mail.invite.body': '管理员为你创建了一个 Latchkey 账号。请打开以下链接设置你的密码：',
  'mail.invite.action': '设置密码',
  'mail.verify.subject': '验证你的邮箱地址',
  'mail.verify.body': '欢迎使用 Latchkey。请确认这是你的邮箱地址，以完成账号注册：',
  'mail.verify.action': '验证邮箱',
  'mail.alreadyRegistered.subject': '你已经有一个 Latchkey 账号',
  'mail.alreadyRegistered.body':
    '有人尝试用此邮箱地址注册账号，但此地址已有账号。如果是你本人，请直接登录，或在此重置密码：',
  'mail.alreadyRegistered.action': '重置密码',
  'mail.alreadyRegistered.note': '如果不是你本人，请忽略此邮件，一切均未改变。',
  'mail.passwordChanged.subject': '你的 Latchkey 密码已更改',
  'mail.passwordChanged.body':
    '你的 Latchkey 账号密码已于 {time} 更改，此账号的所有会话均已退出登录。',
  'mail.passwordChanged.note': '如果这不是你本人的操作，请立即重置密码并告知管理员：',
};
