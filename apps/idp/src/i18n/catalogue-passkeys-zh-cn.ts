import type { passkeysEn } from './catalogue-passkeys-en.js';

/** Passkeys, in Simplified Chinese: the keys of catalogue-passkeys-en.ts. */
export const passkeysZhCN: { readonly [K in keyof typeof passkeysEn]: string } = {
  'account.passkeys.heading': '通行密钥',
  'account.passkeys.lead':
    '通行密钥让你用设备的屏幕锁或安全密钥代替密码登录，且无法被钓鱼网站骗取。',
  'account.passkeys.manage': '管理通行密钥',
  'account.passkeys.title': '通行密钥',
  'account.passkeys.none': '你还没有通行密钥。',
  'account.passkeys.created': '添加于：{time}',
  'account.passkeys.lastUsed': '上次使用：{time}',
  'account.passkeys.neverUsed': '尚未使用',
  'account.passkeys.synced': '在你的设备间同步',
  'account.passkeys.deviceBound': '保存在一台设备或安全密钥上',
  'account.passkeys.nameLabel': '名称',
  'account.passkeys.newNameLabel': '新通行密钥的名称',
  'account.passkeys.defaultName': '通行密钥',
  'account.passkeys.add': '添加通行密钥',
  'account.passkeys.rename': '重命名',
  'account.passkeys.remove': '移除',
  'account.passkeys.back': '返回你的账户',
  'account.passkeys.unsupported': '此浏览器无法使用通行密钥。',
  'account.passkeys.cancelled': '未添加通行密钥：请求已取消或超时。',
  'account.passkeys.error.refused': '无法添加该通行密钥。请重试；请求可能已过期。',
  'account.passkeys.error.duplicate': '该通行密钥已经注册过。',
  'account.passkeys.error.name': '请为通行密钥起一个不超过 {max} 个字符的名称。',
  'account.passkeys.error.notFound': '该通行密钥已不存在。',
  'account.passkeys.error.lastFactor':
    '这是你最后一个第二因素，而你的角色要求必须有一个：请先添加另一个再移除它。',
  'account.done.passkeyAdded': '通行密钥已添加。',
  'account.done.passkeyRenamed': '通行密钥已重命名。',
  'account.done.passkeyRemoved': '通行密钥已移除。',

  'login.passkey.button': '使用通行密钥登录',
  'login.passkey.or': '或',
  'login.passkey.secondFactor': '使用通行密钥',
  'login.passkey.secondFactorTitle': '使用通行密钥确认',
  'login.passkey.secondFactorLead': '你的账户受通行密钥保护。请使用它完成 {username} 的登录。',
  'login.passkey.cancelled': '通行密钥登录已取消或超时。',
  'login.passkey.refused': '无法使用该通行密钥登录。请重试。',

  'mail.passkeyAdded.subject': '你的 Latchkey 账户添加了一个通行密钥',
  'mail.passkeyAdded.body': '通行密钥“{name}”已于 {time} 添加到你的账户。',
  'mail.passkeyRemoved.subject': '你的 Latchkey 账户移除了一个通行密钥',
  'mail.passkeyRemoved.body': '通行密钥“{name}”已于 {time} 从你的账户移除。',
  'mail.passkey.note': '如果这不是你本人的操作，请立即重置密码并告知管理员。你的账户页面：',
};
