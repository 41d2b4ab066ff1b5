/** Signing in through Cognito (authorization code + PKCE). */
export const zh = {
  stateMismatch: '登录校验未通过（state 不一致）：此登录链接不是本页发起的，请重新登录。',
  tokenRefused: '身份认证服务未签发令牌（{{status}}）：请重新登录。',
  again: '重新登录',
};

export const en: typeof zh = {
  stateMismatch:
    'Sign-in check failed (state mismatch): this sign-in link was not started here. Please sign in again.',
  tokenRefused: 'The sign-in service issued no token ({{status}}). Please sign in again.',
  again: 'Sign in again',
};
