import type { accountEn } from './catalogue-account-en.js';

/** The account page in Simplified Chinese; the keys of catalogue-account-en.ts. */
export const accountZhCN: { readonly [K in keyof typeof accountEn]: string } = {
  'account.title': '我的账号',
  'account.heading': '我的账号',
  'account.signedInAs': '当前登录：{username}',
  'account.login.continue': '以管理你的账号',
  'account.reauth.heading': '确认是你本人',
  'account.reauth.lead': '此项更改需要再次输入密码。',

  'account.profile.heading': '个人资料',
  'account.profile.username': '用户名',
  'account.profile.name': '姓名',
  'account.profile.email': '电子邮箱',
  'account.profile.roles': '角色',
  'account.profile.created': '注册时间',
  'account.profile.notSet': '未设置',

  'account.sessions.heading': '已登录的设备',
  'account.sessions.lead': '如果发现不认识的会话，请将其退出登录并修改密码。时间均为世界标准时间。',
  'account.sessions.current': '当前设备',
  'account.sessions.device': '{os} 上的 {browser}',
  'account.sessions.unknownDevice': '未知设备',
  'account.sessions.address': '地址：{address}',
  'account.sessions.started': '登录时间：{time}',
  'account.sessions.lastSeen': '最近活动：{time}',
  'account.sessions.apps': '应用：{apps}',
  'account.sessions.noApps': '应用：暂无',
  'account.sessions.signOut': '退出登录',
  'account.sessions.signOutOthers': '退出其他所有设备',

  'account.password.heading': '密码',
  'account.password.lead': '修改密码后，其他所有设备都会退出登录。',
  'account.password.title': '修改密码',
  'account.password.current': '当前密码',
  'account.password.new': '新密码',
  'account.password.confirm': '再次输入新密码',
  'account.password.hint':
    '至少 {min} 个字符，建议 {recommended} 个以上。可以使用任何字符，包括空格。',
  'account.password.submit': '修改密码',
  'account.password.back': '返回我的账号',

  'account.password.error.wrongCurrent': '当前密码不正确。',
  'account.password.error.missing': '请填写所有字段。',
  'account.password.error.mismatch': '两次输入的新密码不一致。',

  'account.done.sessionEnded': '该会话已退出登录。',
  'account.done.othersEnded': '其他所有设备均已退出登录。',
  'account.done.passwordChanged': '密码已修改，其他所有会话均已退出登录。',

  'account.refused.title': '请求被拒绝',
  'account.refused.message': '此表单已过期，或是从其他网站提交的。未做任何更改。',
  'account.refused.back': '返回我的账号',
};
