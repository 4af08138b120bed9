/* global console, process */
// Bundles the saved report's script (lib/report.js and the pure drawing code it
// imports, both compiled by tsc) into one classic script that
// jupyter_dashmon/placement/report.py puts inline into every report.
import path from 'node:path';
import webpack from 'webpack';

const here = import.meta.dirname;

webpack(
  {
    mode: 'production',
    target: ['web', 'es2020'],
    entry: path.join(here, 'lib', 'report.js'),
    output: {
      path: path.join(here, '..', 'jupyter_dashmon', 'placement', 'static'),
      filename: 'report.js',
      iife: true,
      clean: false
    },
    devtool: false,
    performance: { hints: false }
  },
  (err, stats) => {
    if (err || stats.hasErrors()) {
      console.error(err ?? stats.toString('errors-only'));
      process.exit(1);
    }
    console.log(stats.toString('minimal'));
  }
);
