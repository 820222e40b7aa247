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
-0.06 0.93677286 0.866629558 1.00691616
0.94 0.961881378 0.941508561 0.982254194
1.94 0.891679221 0.867917604 0.915440839
EOD
$d1 << EOD
0 8.80781599 8.56442349 9.05120849
1 10.6728444 10.5908049 10.7548838
2 10.4887332 10.3263002 10.6511662
EOD
$d2 << EOD
0.06 8.32527979 8.25526719 8.3952924
1.06 10.6438809 10.5093869 10.7783748
2.06 10.3140518 10.2637574 10.3643462
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
