/**
 * The stylesheet of every IdP page. Inline (allowed by its hash in the CSP), so a page is one
 * request and nothing else needs serving. Mobile first: one column, large touch targets,
 * system fonts, light and dark schemes, visible focus.
 */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--bg:#f4f1ea;--card:#fff;--fg:#1d1b16;--muted:#5f5a4f;--line:#cfc8b8;--accent:#2f5d50;--accent-fg:#fff;--error:#a3261b;--error-bg:#fbe9e7;--ok:#1f6b3a;--ok-bg:#e3f2e7}
@media (prefers-color-scheme:dark){:root{--bg:#171612;--card:#22201b;--fg:#f1ede4;--muted:#b3ac9c;--line:#4a463c;--accent:#7cc4ae;--accent-fg:#10201b;--error:#ffb4a9;--error-bg:#3b1d19;--ok:#a6e3b8;--ok-bg:#17301f}}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
main{width:100%;max-width:26rem;margin:0;padding:1.5rem 1.25rem 2rem;background:var(--card)}
@media (min-width:30rem){body{align-items:center;padding:2rem}main{border:1px solid var(--line);border-radius:.75rem;padding:2rem 2.25rem;box-shadow:0 .5rem 1.5rem rgb(0 0 0/.08)}}
.brand{display:flex;align-items:center;gap:.4rem;margin:0 0 1.5rem;font-weight:700;letter-spacing:.02em;color:var(--accent)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1.5rem}
h1 small{display:block;margin-top:.25rem;font-size:1rem;font-weight:400;color:var(--muted)}
h1 strong{color:var(--fg)}
.lead{margin:0 0 1.5rem;color:var(--muted)}
.lead strong{color:var(--fg)}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input[type=text],input[type=email],input[type=password]{width:100%;font:inherit;padding:.7rem .8rem;border:1px solid var(--line);border-radius:.5rem;background:var(--card);color:var(--fg)}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
input[aria-invalid=true]{border-color:var(--error)}
button{width:100%;margin-top:1.5rem;font:inherit;font-weight:600;padding:.8rem 1rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--accent-fg);cursor:pointer}
button:hover{filter:brightness(1.08)}
.alert{margin:0 0 1rem;padding:.75rem .9rem;border-radius:.5rem;background:var(--error-bg);color:var(--error);font-weight:600}
.alert:empty{display:none}
.fine{margin:1.5rem 0 0;font-size:.875rem;color:var(--muted)}
a{color:var(--accent)}
.lang{display:flex;gap:1rem;justify-content:flex-end;margin:1.5rem 0 0;font-size:.875rem;color:var(--muted)}
.lang [aria-current]{font-weight:600;color:var(--fg)}
code{font-size:.8125rem;overflow-wrap:anywhere}
main.wide{max-width:42rem}
h2{font-size:1.125rem;line-height:1.3;margin:2.25rem 0 .75rem;padding-top:1.25rem;border-top:1px solid var(--line)}
h2+.lead{margin-bottom:1rem}
input[readonly]{background:transparent;color:var(--muted)}
.notice{margin:0 0 1rem;padding:.75rem .9rem;border-radius:.5rem;background:var(--ok-bg);color:var(--ok);font-weight:600}
.hint{margin:.35rem 0 0;font-size:.875rem;color:var(--muted)}
.profile{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1.5rem;margin:0}
.profile dt{color:var(--muted)}
.profile dd{margin:0;overflow-wrap:anywhere}
.sessions{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}
.sessions>li{border:1px solid var(--line);border-radius:.5rem;padding:.9rem 1rem}
.sessions>li[aria-current]{border-color:var(--accent)}
.device{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0;font-weight:600}
.badge{font-size:.75rem;font-weight:600;padding:.1rem .55rem;border-radius:999px;background:var(--accent);color:var(--accent-fg)}
.meta{margin:.35rem 0 0;padding:0;list-style:none;font-size:.875rem;color:var(--muted)}
.ua{display:block;margin-top:.35rem;font-size:.75rem;color:var(--muted);overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:1rem}
.actions form{margin:0}
button.secondary,a.button{display:inline-block;width:auto;margin:0;padding:.5rem 1rem;font:inherit;font-size:.9375rem;font-weight:600;border-radius:.5rem;text-decoration:none;cursor:pointer}
button.secondary{background:transparent;color:var(--accent);border:1px solid var(--line)}
a.button{background:var(--accent);color:var(--accent-fg)}
.sessions button.secondary{margin-top:.75rem}
`;
