set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m3_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-52m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 2.90919749 2.86314963 2.95524535
0.94 0.717015529 0.633427108 0.80060395
1.94 0.70036824 0.682153455 0.718583026
EOD
$d1 << EOD
0 11.1769624 10.9561158 11.3978089
1 15.2538943 14.5769201 15.9308685
2 14.6270655 14.3969762 14.8571548
EOD
$d2 << EOD
0.06 13.7134201 12.9512334 14.4756068
1.06 15.2751385 14.6892833 15.8609936
2.06 14.583766 14.1587715 15.0087604
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
