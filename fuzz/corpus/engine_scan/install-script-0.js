{
  "name": "left-padder",
  "scripts": { "postinstall": "node setup.js" }
}
