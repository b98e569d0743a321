/** The banner's drawing: a ring of keys, one of them gold (the one that signs). */
export function HeroArt() {
  return (
    <svg className="hero-art" viewBox="0 0 220 130" aria-hidden="true">
      <circle cx="60" cy="46" r="26" fill="none" stroke="#c2410c" strokeWidth="6" />
      <g transform="rotate(28 60 46)">
        <rect x="84" y="40" width="86" height="12" rx="6" fill="#fb923c" />
        <rect x="146" y="52" width="8" height="16" rx="3" fill="#fb923c" />
        <rect x="160" y="52" width="8" height="11" rx="3" fill="#fb923c" />
      </g>
      <g transform="rotate(-8 60 46)">
        <rect x="84" y="40" width="104" height="13" rx="6.5" fill="#f59e0b" />
        <rect x="160" y="53" width="9" height="18" rx="3" fill="#f59e0b" />
        <rect x="175" y="53" width="9" height="12" rx="3" fill="#f59e0b" />
        <circle cx="98" cy="46.5" r="3" fill="#fff7ed" />
      </g>
      <g transform="rotate(44 60 46)">
        <rect x="84" y="40" width="70" height="11" rx="5.5" fill="#fb7185" />
        <rect x="134" y="51" width="8" height="13" rx="3" fill="#fb7185" />
      </g>
    </svg>
  );
}
