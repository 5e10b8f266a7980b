import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // Vendor code in its own chunks, so a console release doesn't invalidate cached libraries.
        manualChunks: (id: string) => {
          if (!id.includes('node_modules')) return undefined;
          if (/[\\/](antd|@ant-design|rc-[a-z-]+|@rc-component)[\\/]/.test(id)) return 'antd';
          if (/[\\/](react|react-dom|react-router|scheduler)[\\/]/.test(id)) return 'react';
          return 'vendor';
        },
      },
    },
  },
  server: { proxy: { '/api': api, '/healthz': api, '/metrics': api } },
});
