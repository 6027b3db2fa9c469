function merge(target, source) {
  for (const key in source) {
    if (key === '__proto__' || key === 'constructor') continue;
    target[key] = isObject(source[key]) ? merge(target[key] || {}, source[key]) : source[key];
  }
  return target;
}
