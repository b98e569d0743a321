import type { deviceEn } from './catalogue-device-en.js';

/** 设备页面（RFC 8628：/device，输入电视或命令行工具上显示的代码）。 */
export const deviceZhCN: { readonly [K in keyof typeof deviceEn]: string } = {
  'device.title': '连接设备',
  'device.lead': '请输入电视、游戏机或命令行工具上显示的代码。',
  'device.code': '代码',
  'device.codeHint': '八个字母，例如 WDJB-MJHT。',
  'device.continue': '继续',
  'device.error.invalidCode':
    '该代码无效。请核对设备上显示的代码，或在设备上重新开始以获取新代码。',
  'device.error.tooManyAttempts': '尝试的代码过多，请在 {wait}后重试。',
  'device.confirm.title': '要连接 {client} 吗？',
  'device.confirm.lead': '{client} 将以 {username} 的身份登录，并可以：',
  'device.confirm.code': '仅当您的设备显示代码 {code} 时才允许。如果这不是您发起的，请拒绝。',
  'device.confirm.allow': '允许',
  'device.confirm.deny': '拒绝',
  'device.allowed.title': '设备已连接',
  'device.allowed.message': '现在可以回到您的设备，它将完成登录。',
  'device.denied.title': '已拒绝请求',
  'device.denied.message': '设备未连接。您可以关闭此页面。',
  'device.login.continue': '以连接设备',
};
