// Next.js has no package exports map, so NodeNext resolution finds its modules only by file
// (`next/server.js`), while Next's bundler swaps in its server builds only for the bare names
// (`next/navigation` imported as `.js` pulls client-only code into route handlers). The code
// imports the bare names; these declarations give them the types of the files.
declare module 'next/server' {
  export * from 'next/server.js';
}
declare module 'next/headers' {
  export * from 'next/headers.js';
}
declare module 'next/navigation' {
  export * from 'next/navigation.js';
}
