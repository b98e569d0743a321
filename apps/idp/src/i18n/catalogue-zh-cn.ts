import { mfaZhCN } from './catalogue-mfa-zh-cn.js';
import { accountsZhCN } from './catalogue-accounts-zh-cn.js';
import { accountZhCN } from './catalogue-account-zh-cn.js';
import { passkeysZhCN } from './catalogue-passkeys-zh-cn.js';
import { deviceZhCN } from './catalogue-device-zh-cn.js';
import { consentZhCN } from './catalogue-consent-zh-cn.js';
import type { Catalogue } from './catalogue.js';

/**
 * Simplified Chinese, written for mainland readers (账号, 登录, 退出登录 as in the apps
 * people use every day). Placeholders stay as in the English catalogue.
 */
export const zhCN: Catalogue = {
  ...accountZhCN,
  ...deviceZhCN,
  ...consentZhCN,
  'language.label': '语言',

  'login.title': '登录',
  'login.heading': '登录',
  'login.continueTo': '继续使用 {client}',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.ssoNote': '在此登录后，你在此浏览器中使用的所有 Latchkey 应用都会一并登录。',
  'login.error.wrongCredentials': '用户名或密码不正确。',
  'login.error.missingFields': '请输入用户名和密码。',
  'login.error.formExpired': '此表单已过期，或是在其他浏览器中打开的。请重新填写登录信息。',
  'login.error.tooManyAttempts': '尝试失败次数过多，请在 {wait}后重试。',
  'login.error.busy': '当前登录人数较多，请稍后再试。',
  'login.expired.title': '登录请求已失效',
  'login.expired.message': '此登录请求已过期或已被使用。请返回应用，重新开始登录。',

  'wait.second': '1 秒',
  'wait.seconds': '{count} 秒',
  'wait.minute': '1 分钟',
  'wait.minutes': '{count} 分钟',

  'message.backToApp': '请返回你刚才使用的应用，重新登录。',
  'message.technicalDetail': '供应用开发者参考的技术信息：',

  'error.cannotSignIn.title': '无法登录',
  'error.invalidRequest.message': '该应用发来的登录请求无效，因此没有向它返回任何信息。',
  'error.badRequest.message': '无法处理此请求。',
  'error.tooManyRequests.message': '来自此网络地址的请求过多，请在 {wait}后重试。',
  'error.unavailable.title': '服务暂时不可用',
  'error.unavailable.message': '目前无法登录，请稍后再试。',
  'error.internal.title': '出错了',
  'error.internal.message': '我们这边出了问题，登录未能完成，请重试。',

  'logout.signedOut.title': '已退出登录',
  'logout.signedOut.heading': '你已退出登录',
  'logout.signedOut.message': '现在可以关闭此窗口了。',
  'logout.confirm.title': '退出登录？',
  'logout.confirm.heading': '要退出登录吗？',
  'logout.confirm.message': '要退出所有使用此账号登录的应用吗？',
  'logout.confirm.submit': '退出登录',
  'logout.error.title': '退出登录失败',
  'logout.error.heading': '退出登录请求被拒绝',
  'logout.error.message': '没有做任何更改。请返回应用后重试。',

  ...accountsZhCN,
  ...passkeysZhCN,
  ...mfaZhCN,
};
