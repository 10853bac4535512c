// Said once, after every install: which Node runs this project. npm itself runs on the machine's Node and
// compares packages' `engines` with that one (its warnings are turned off in .npmrc); every npm script runs
// the Node that the `node` dev dependency pins. engines.test.ts checks the packages against that Node.
const npmNode = /\bnode\/(v\S+)/.exec(process.env.npm_config_user_agent ?? '')?.[1];
const machine =
  npmNode && npmNode !== process.version ? `; this machine's Node ${npmNode} only runs npm` : '';
process.stdout.write(
  `Node ${process.version}, pinned by the \`node\` dev dependency, runs every npm script here${machine}.\n`,
);
