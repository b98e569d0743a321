import type { consentEn } from './catalogue-consent-en.js';

/** The consent keys in Simplified Chinese (see catalogue-consent-en.ts). */
export const consentZhCN: { readonly [K in keyof typeof consentEn]: string } = {
  'scope.openid': '知道您是谁',
  'scope.profile': '查看您的姓名和用户名',
  'scope.email': '查看您的电子邮箱地址',
  'scope.offline_access': '保持登录，直到您退出登录',
  'scope.other': '使用“{scope}”',

  'consent.title': '允许 {client} 使用您的账号？',
  'consent.lead': '{client} 请求使用账号 {username} 来：',
  'consent.note': '您可以随时在账号页面移除它的访问权限。',
  'consent.allow': '允许',
  'consent.deny': '拒绝',
  'consent.refused.title': '无法确认此请求',
  'consent.refused.message':
    '此页面已过期、在其他浏览器或会话中打开，或已被更改。请返回应用重新开始。',

  'account.apps.heading': '有访问权限的应用',
  'account.apps.lead': '您允许使用您账号的第三方应用。',
  'account.apps.none': '您尚未允许任何第三方应用。',
  'account.apps.since': '允许于 {time}',
  'account.apps.remove': '移除访问权限',
  'account.done.accessRemoved': '已移除访问权限。该应用已退出登录，下次需要重新征得您的同意。',
} as const;
