/** The console's entry: styles, then the app mounted on `#app`. */
import { render } from 'preact';
import './styles.css';
import { App } from './ui/app.tsx';

render(<App />, document.getElementById('app')!);
