function serve(req, res) {
  const file = path.resolve(root, '.' + req.path);
  if (!file.startsWith(root + path.sep)) return res.sendStatus(403);
  fs.createReadStream(file).pipe(res);
}
