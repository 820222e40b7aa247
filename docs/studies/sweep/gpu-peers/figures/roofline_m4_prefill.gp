set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m4_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 8.25631971 8.14980309 8.36283633
0.94 10.6343706 10.4141916 10.8545496
1.94 10.2623945 10.1729534 10.3518355
EOD
$d1 << EOD
0 33.9832257 32.8517147 35.1147366
1 53.1966857 52.0727698 54.3206017
2 54.706726 48.3741266 61.0393254
EOD
$d2 << EOD
0.06 78.7284019 76.9803924 80.4764115
1.06 77.6798699 73.5488754 81.8108645
2.06 79.1973104 75.3377422 83.0568787
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
