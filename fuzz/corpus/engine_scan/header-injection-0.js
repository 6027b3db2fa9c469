app.get('/download', (req, res) => {
  res.setHeader('Content-Disposition', 'attachment; filename="' + req.query.name + '"');
});
