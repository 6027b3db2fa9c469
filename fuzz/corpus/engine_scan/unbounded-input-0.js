app.use(express.json({ limit: Infinity }));
