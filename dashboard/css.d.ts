// esbuild loads CSS as text (scripts/bundle-client.ts); the dashboard puts it in a <style>.
declare module '*.css' {
  const text: string;
  export default text;
}
