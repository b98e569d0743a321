import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Latchkey Shop',
  description: 'Demo shop signed in through the Latchkey identity provider',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <footer className="site-footer">
          Latchkey Shop is a demo relying party. Nothing here is for sale.
        </footer>
      </body>
    </html>
  );
}
