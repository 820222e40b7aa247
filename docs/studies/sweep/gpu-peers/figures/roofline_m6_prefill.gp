set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 5.45873806 5.45014837 5.46732775
0.94 6.77755287 6.68474205 6.87036368
1.94 7.13075561 7.12070435 7.14080688
EOD
$d1 << EOD
0 18.3323803 18.0021003 18.6626602
1 17.2718438 17.0660553 17.4776323
2 27.311997 27.1962789 27.4277152
EOD
$d2 << EOD
0.06 37.5798691 37.0540754 38.1056628
1.06 35.812387 35.0324554 36.5923187
2.06 35.3420939 34.7925912 35.8915967
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
