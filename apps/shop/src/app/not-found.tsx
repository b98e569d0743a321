import { ShopHeader } from '../components/shop-header';

export default function ShopNotFound() {
  return (
    <>
      <ShopHeader />
      <main className="notice">
        <p className="code">404</p>
        <h1>That shelf is empty</h1>
        <p className="muted">There is no page at this address in the shop.</p>
        <p>
          <a className="button" href="/">
            Back to the shop
          </a>
        </p>
      </main>
    </>
  );
}
