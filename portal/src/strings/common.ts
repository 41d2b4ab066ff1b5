/** Strings shared by several areas (downloads, pagination, empty filters). */
export const zh = {
  download: '下载',
  downloading: '正在下载…',
  loadMore: '加载更多',
  filter: '筛选',
  reset: '重置',
  none: '无',
};

export const en: typeof zh = {
  download: 'Download',
  downloading: 'Downloading…',
  loadMore: 'Load more',
  filter: 'Filter',
  reset: 'Reset',
  none: 'None',
};
