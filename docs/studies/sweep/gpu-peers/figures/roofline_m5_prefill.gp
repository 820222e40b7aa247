set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 6.93465898 6.8563359 7.01298206
0.94 8.86474068 8.82621445 8.90326692
1.94 8.75630896 8.68930378 8.82331414
EOD
$d1 << EOD
0 22.9484023 21.9465715 23.9502331
1 41.3217349 40.9068076 41.7366622
2 41.5172537 40.6967895 42.3377178
EOD
$d2 << EOD
0.06 59.9024084 57.0886513 62.7161654
1.06 66.6613353 64.7484244 68.5742461
2.06 56.2161114 53.5031106 58.9291122
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
